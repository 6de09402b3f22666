import type { Transaction } from '@libsql/client';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from './__fixtures__/test-miners.js';
import { refoldEvidence } from './refold-evidence.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('refoldEvidence', { timeout: 60_000 }, () => {
  it('reads the links that contributed the same once, however many there are', async () => {
    const store = await openTempMemory({ miners: [createActionPairMiner()] });
    const raw = createClient({ url: store.url, intMode: 'number' });
    cleanups.push(
      () => store.close(),
      () => raw.close(),
    );
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
      await store.memory.episodes.logSteps(episode.id, [
        { action: 'read_file a.ts' },
        { action: 'edit_file a.ts' },
      ]);
      await store.memory.episodes.complete(episode.id, { status: i % 3 === 0 ? 'failed' : 'completed' });
      ids.push(episode.id);
    }
    await store.memory.learning.flush();
    const [pattern] = (await raw.execute('SELECT id, support, successes, measurements FROM patterns')).rows;
    expect(pattern).toMatchObject({ support: 30, successes: 20 });

    const tx = await raw.transaction('write');
    try {
      await tx.execute('CREATE TEMP TABLE gone (id TEXT PRIMARY KEY)');
      await tx.execute({ sql: 'INSERT INTO gone (id) VALUES (?)', args: [ids[1]!] });
      let linkRows = 0;
      const counting = {
        execute: (statement) => tx.execute(statement),
        batch: async (statements) => {
          const results = await tx.batch(statements);
          statements.forEach((statement, index) => {
            if (typeof statement !== 'string' && /FROM episode_patterns/.test(statement.sql))
              linkRows += results[index]?.rows.length ?? 0;
          });
          return results;
        },
      } as Pick<Transaction, 'execute' | 'batch'> as Transaction;
      const report = await refoldEvidence(counting, [String(pattern!.id)], 'gone');
      // 29 links remain, in two kinds: a success and a failure, each with { steps: 2 }.
      expect(linkRows).toBe(2);
      expect(report).toMatchObject({ removed: 0, changed: [{ id: pattern!.id }] });
      const [after] = (await tx.execute('SELECT support, successes, measurements FROM patterns')).rows;
      expect(after).toMatchObject({ support: 29, successes: 19 });
      expect(JSON.parse(String(after!.measurements))).toEqual({
        steps: { count: 29, sum: 58, min: 2, max: 2 },
      });
    } finally {
      await tx.rollback();
    }
  });
});
