import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';
import { type Cleanups, finishedEpisode, openLearningStore } from './__fixtures__/learning-store.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const open = (url: string, config?: Parameters<typeof openMemory>[0]) =>
  openLearningStore(cleanups, url, config);
const finished = finishedEpisode;

/** The store's rows as they are on disk: queue rows per learner, and the registered learners. */
function rawStore(url: string) {
  const raw = createClient({ url, intMode: 'number' });
  cleanups.push(() => raw.close());
  return {
    queued: async () =>
      (
        await raw.execute(
          'SELECT learner, COUNT(*) AS n FROM learning_queue GROUP BY learner ORDER BY learner',
        )
      ).rows.map((row) => [row.learner, row.n]),
    registered: async () =>
      (await raw.execute('SELECT name FROM learners ORDER BY name')).rows.map((row) => row.name),
  };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );

describe('learning.retire', () => {
  it('removes a learner nobody runs, its pending and failed rows, so later completions queue nothing for it', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const raw = rawStore(folder.url);
    // A process that ran the embedder once, whose provider failed on its last episode.
    const embeddings = createTestEmbeddings();
    embeddings.failWith(new Error('model server unavailable'));
    const former = await open(folder.url, {
      embeddings: embeddings.provider,
      learning: { maxAttempts: 1 },
      logger: { warn: () => undefined },
    });
    await finished(former, 'embedded never');
    expect(await former.learning.flush()).toMatchObject({ failed: 1 });
    await former.close();

    // The embedder was taken out of the configuration: this agent has no learners of its own.
    const agent = await open(folder.url);
    await finished(agent, 'queued for an embedder nobody runs');
    expect(await agent.learning.status()).toMatchObject({
      unattended: 1,
      learners: { embeddings: { pending: 1, failed: 1, alive: false } },
    });

    expect(await agent.learning.retire('embeddings')).toEqual({
      learner: 'embeddings',
      pending: 1,
      failed: 1,
      registered: true,
    });
    expect(await raw.queued()).toEqual([]);
    expect(await raw.registered()).toEqual([]);
    await finished(agent, 'after the retirement');
    expect(await raw.queued()).toEqual([]);
    const status = await agent.learning.status();
    expect(status).toMatchObject({ pending: 0, unattended: 0, failed: 0 });
    expect(status.learners).toEqual({});
    expect(await agent.admin.audit({ operation: 'admin' })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'local',
          entityType: 'learner',
          entityId: 'embeddings',
          outcome: 'ok',
        }),
      ]),
    );

    // Retired is not forbidden: a process that runs it again registers it, queues for it the three
    // finished episodes it never embedded (its provider is down: they stay queued), and completions
    // queue for it again.
    const again = createTestEmbeddings();
    again.failWith(new Error('model server unavailable'));
    await (
      await openMemory({
        url: folder.url,
        cache: false,
        embeddings: again.provider,
        logger: { warn: () => undefined },
      })
    ).close();
    expect(await raw.registered()).toEqual(['embeddings']);
    expect(await raw.queued()).toEqual([['embeddings', 3]]);
    await finished(agent, 'learned again');
    expect(await raw.queued()).toEqual([['embeddings', 4]]);
  });

  it('is refused while some process runs the learner, or this one is configured with it, and removes nothing', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const raw = rawStore(folder.url);
    // A worker that looks for other processes' work once a minute, so the row queued below stays put.
    const worker = await open(folder.url, {
      miners: [createActionPairMiner()],
      learning: { pollMs: 60_000 },
    });
    const agent = await open(folder.url);
    const queuedOnly = await open(folder.url, {
      miners: [createActionPairMiner()],
      learning: { run: false },
    });
    await worker.learning.flush();
    await finished(queuedOnly, 'queued');
    const before = await raw.queued();

    const refused = agent.learning.retire('mining');
    await expect(refused).rejects.toThrow(/run by a process on this store now/);
    expect(await codeOf(refused)).toBe('CONFLICT');
    const configured = queuedOnly.learning.retire('mining');
    await expect(configured).rejects.toThrow(/configured in this process/);
    expect(await codeOf(configured)).toBe('CONFLICT');
    expect(await raw.queued()).toEqual(before);
    expect(await raw.registered()).toEqual(['mining']);
    expect(await agent.admin.audit({ operation: 'admin', outcome: 'error' })).toEqual(
      expect.arrayContaining([expect.objectContaining({ entityType: 'learner', entityId: 'mining' })]),
    );

    // Once the worker closed (its claim withdrawn), the same call goes through.
    await worker.close();
    expect(await agent.learning.retire('mining')).toMatchObject({ learner: 'mining', registered: true });
  });

  it('says NOT_FOUND for a name the store does not know, and VALIDATION for an empty one', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const memory = await open(folder.url);
    expect(await codeOf(memory.learning.retire('minnig'))).toBe('NOT_FOUND');
    expect(await codeOf(memory.learning.retire(''))).toBe('VALIDATION');
  });
});
