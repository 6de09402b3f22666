import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { type Memory, openMemory } from '../open-memory.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(url: string, config: Parameters<typeof openMemory>[0] = {}): Promise<Memory> {
  const memory = await openMemory({ url, cache: false, ...config });
  cleanups.push(() => memory.close());
  return memory;
}

async function finished(memory: Memory, context: string): Promise<string> {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web', context });
  await memory.episodes.logSteps(episode.id, [{ action: 'read_file' }, { action: 'edit_file' }]);
  await memory.episodes.complete(episode.id, { status: 'completed' });
  return episode.id;
}

describe('learners registered on the store', () => {
  it('learns the episodes a process without learners writes, as the README example beside a server does', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    // The server's side: a provider and a miner, learning in the background.
    const learner = await open(folder.url, {
      embeddings: createTestEmbeddings().provider,
      miners: [createActionPairMiner()],
    });
    // The agent's side: an embedded store with neither (`withMemory({ memory: await openMemory(...) })`).
    const agent = await open(folder.url);
    const started = await finished(agent, 'checkout total is undefined');
    const [recorded] = await agent.episodes.record([
      {
        id: '0190a0b0-0000-7000-8000-000000000001',
        taskType: 'debugging',
        domain: 'web',
        steps: [{ action: 'read_file' }, { action: 'edit_file' }],
        outcome: { status: 'completed' },
      },
    ]);
    expect(await learner.learning.flush()).toMatchObject({ pending: 0, failed: 0 });

    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    const ids = [started, recorded?.episode.id as string];
    const learned = await raw.execute({
      sql: `SELECT e.id, e.embedding_version IS NOT NULL AS embedded, m.episode_id IS NOT NULL AS mined
            FROM episodes e LEFT JOIN mined_episodes m ON m.episode_id = e.id WHERE e.id IN (?, ?) ORDER BY e.id`,
      args: ids,
    });
    expect(learned.rows.map((row) => [row.embedded, row.mined])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it('queues nothing on a store where no process has run a learner', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    await finished(await open(folder.url), 'nothing learns here');
    // A store opened with learners that does not run them (a server whose worker learns) registers none.
    await finished(
      await open(folder.url, { miners: [createActionPairMiner()], learning: { run: false } }),
      'x',
    );
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    const queued = await raw.execute('SELECT learner, COUNT(*) AS n FROM learning_queue GROUP BY learner');
    expect(queued.rows.map((row) => [row.learner, row.n])).toEqual([['mining', 1]]);
  });
});
