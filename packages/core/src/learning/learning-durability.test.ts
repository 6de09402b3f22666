import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { killAfter } from '../__fixtures__/kill-after.js';
import { tempDir } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';

const writer = fileURLToPath(new URL('../__fixtures__/learning-writer.ts', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Runs the writer until it has acknowledged `minimum` completions, then SIGKILLs it. */
async function completeThenKill(url: string, minimum: number): Promise<string[]> {
  const acknowledged: string[] = [];
  await killAfter(writer, [url], (line) => {
    const [, kind, id] = line.split(' ');
    if (kind === 'complete' && id !== undefined) acknowledged.push(id);
    return acknowledged.length >= minimum;
  });
  return acknowledged;
}

describe('learning durability', () => {
  it('loses no learning work when the process is SIGKILLed mid-learning: the next open resumes it', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const url = `file:${dir.path}/memory.db`;
    const acknowledged = await completeThenKill(url, 60);

    const raw = createClient({ url, intMode: 'number' });
    cleanups.push(() => raw.close());
    const left = await raw.execute('SELECT learner, lease_owner FROM learning_queue');
    // The kill landed while learning lagged behind, some of it under a lease of the dead process.
    expect(left.rows.length).toBeGreaterThan(0);

    const memory = await openMemory({
      url,
      embeddings: createTestEmbeddings({ maxBatchSize: 4 }).provider,
      miners: [createActionPairMiner()],
      cache: false,
    });
    try {
      expect(await memory.learning.flush()).toMatchObject({ pending: 0, failed: 0 });
      const marks = acknowledged.map(() => '?').join(', ');
      const [embedded, mined, queue] = await raw.batch([
        {
          sql: `SELECT COUNT(*) AS n FROM episodes WHERE id IN (${marks}) AND embedding_version IS NOT NULL`,
          args: acknowledged,
        },
        {
          sql: `SELECT COUNT(*) AS n FROM mined_episodes WHERE episode_id IN (${marks})`,
          args: acknowledged,
        },
        'SELECT COUNT(*) AS n FROM learning_queue',
      ]);
      expect(embedded?.rows[0]?.n).toBe(acknowledged.length);
      expect(mined?.rows[0]?.n).toBe(acknowledged.length);
      expect(queue?.rows[0]?.n).toBe(0);

      // No episode was counted twice: mining from scratch gives the same evidence.
      const evidence = 'SELECT id, support, successes FROM patterns ORDER BY id';
      const before = (await raw.execute(evidence)).rows.map((row) => ({ ...row }));
      await memory.admin.remine();
      expect((await raw.execute(evidence)).rows.map((row) => ({ ...row }))).toEqual(before);
    } finally {
      await memory.close();
    }
  }, 120_000);
});
