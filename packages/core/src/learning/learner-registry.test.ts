import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import type { openMemory } from '../open-memory.js';
import { forkFromSource } from './__fixtures__/fork-from-source.js';
import { type Cleanups, finishedEpisode, openLearningStore } from './__fixtures__/learning-store.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Another process on the store running a miner that holds each episode until told to `learn`. */
async function startLearnerProcess(url: string, leaseMs: number) {
  const { child, exited } = forkFromSource('./learner-process.ts', [url, String(leaseMs)], cleanups);
  const said: string[] = [];
  child.on('message', (message) => said.push(String(message)));
  // The child starts from source through tsx: slow on a loaded machine.
  const saying = (message: string) => expect.poll(() => said, { timeout: 60_000 }).toContain(message);
  await saying('ready');
  return { child, exited, saying };
}

const open = (url: string, config?: Parameters<typeof openMemory>[0]) =>
  openLearningStore(cleanups, url, config);
const finished = finishedEpisode;

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

  it('learns what was finished before a learner was first registered on the store, once', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    // An agent records on a store no learner has run on (or one of a version before 1.21.0, when
    // learners were not registered): its completions queue nothing.
    const agent = await open(folder.url);
    const early = [
      await finished(agent, 'checkout total is undefined'),
      await finished(agent, 'login loops'),
    ];
    await agent.episodes.start({ taskType: 'debugging', domain: 'web', context: 'still running' });
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    expect((await raw.execute('SELECT COUNT(*) AS n FROM learning_queue')).rows[0]?.n).toBe(0);

    // Then a server with a provider and a miner starts on it: it learns them (they were never
    // learned before: no queue row named them).
    const config = { embeddings: createTestEmbeddings().provider, miners: [createActionPairMiner()] };
    const server = await open(folder.url, config);
    expect(await server.learning.flush()).toMatchObject({ pending: 0, failed: 0 });
    const learned = await raw.execute({
      sql: `SELECT e.embedding_version IS NOT NULL AS embedded, m.episode_id IS NOT NULL AS mined
            FROM episodes e LEFT JOIN mined_episodes m ON m.episode_id = e.id WHERE e.id IN (?, ?)`,
      args: early,
    });
    expect(learned.rows.map((row) => [row.embedded, row.mined])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    // Only on the first registration: another process with the same learners queues nothing more.
    await open(folder.url, config);
    expect((await raw.execute('SELECT COUNT(*) AS n FROM learning_queue')).rows[0]?.n).toBe(0);
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

describe('learners other processes run', () => {
  it('are reported and waited for while their process runs them, and no longer once it was killed', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    const mined = async (id: string) =>
      (await raw.execute({ sql: 'SELECT 1 FROM mined_episodes WHERE episode_id = ?', args: [id] })).rows
        .length;
    // A five-second claim (renewed every 1.7 s), so the test need not wait long once the process is
    // killed, while a busy machine stalling the child for a second does not make it look dead.
    const learner = await startLearnerProcess(folder.url, 5000);
    const warnings: string[] = [];
    // The agent's side runs no learner of its own.
    const agent = await open(folder.url, { logger: { warn: (message) => warnings.push(message) } });

    const first = await finished(agent, 'learned by the other process');
    expect(await agent.learning.status()).toMatchObject({
      pending: 1,
      unattended: 0,
      learners: { mining: { pending: 1, runsHere: false, alive: true, lastSeenAt: expect.any(String) } },
    });
    await learner.saying('mining');
    // The other process holds the episode until told to learn it: flush waits for it.
    await expect(agent.learning.flush({ timeoutMs: 300 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'Learning still had 1 rows pending after 300 ms (mining: 1, run by another process).',
    });
    const flushed = agent.learning.flush({ timeoutMs: 60_000 });
    learner.child.send('learn');
    expect(await flushed).toMatchObject({ pending: 0, unattended: 0 });
    expect(await mined(first)).toBe(1);

    learner.child.kill('SIGKILL');
    await learner.exited;
    // Still queued for it: a worker that comes back learns what was finished while it was away.
    const second = await finished(agent, 'finished while nobody mines');
    const left = await agent.learning.flush({ timeoutMs: 60_000 });
    expect(left).toMatchObject({
      pending: 1,
      unattended: 1,
      learners: { mining: { pending: 1, runsHere: false, alive: false } },
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^episodic: learning\.flush did not wait for 1 rows of learners no process runs now \(mining: 1, last run \d{4}-.+Z\), which a process running them again will learn$/,
      ),
    ]);
    expect((await agent.learning.status()).learners.mining).toMatchObject({ alive: false });

    const worker = await open(folder.url, { miners: [createActionPairMiner()] });
    expect(await worker.learning.flush({ timeoutMs: 60_000 })).toMatchObject({ pending: 0, unattended: 0 });
    expect(await mined(second)).toBe(1);
  }, 120_000);

  it('stop counting at once when their process closes, and are not waited for when nobody ever ran them', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    // A server configured with the miner whose worker is not running: it queues for a learner nobody runs.
    const warnings: string[] = [];
    const server = await open(folder.url, {
      miners: [createActionPairMiner()],
      learning: { run: false },
      logger: { warn: (message) => warnings.push(message) },
    });
    await finished(server, 'queued, no worker');
    const queued = {
      pending: 1,
      unattended: 1,
      learners: { mining: { pending: 1, runsHere: false, alive: false, lastSeenAt: null } },
    };
    expect(await server.learning.status()).toMatchObject(queued);
    expect(await server.learning.flush({ timeoutMs: 30_000 })).toMatchObject(queued);
    expect(warnings).toEqual([expect.stringContaining('(mining: 1, never run)')]);

    const worker = await open(folder.url, { miners: [createActionPairMiner()] });
    expect((await server.learning.status()).learners.mining).toMatchObject({ alive: true });
    expect(await server.learning.flush({ timeoutMs: 60_000 })).toMatchObject({ pending: 0, unattended: 0 });
    await worker.close();
    // Withdrawn on close rather than left to run out after the default lease (30 s).
    expect((await server.learning.status()).learners.mining).toMatchObject({
      alive: false,
      lastSeenAt: expect.any(String),
    });
  });
});
