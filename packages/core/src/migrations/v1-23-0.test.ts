import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('1.23.0: which process runs which learner now', () => {
  it('dates the learners of a 1.22.0 store from their registration, none running until a process claims it', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const config = { url: folder.url, cache: false as const, miners: [createActionPairMiner()] };
    await (await openMemory(config)).close();

    // The store as 1.22.0 left it: the learner registered, nothing else known of it.
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    await raw.batch([
      'DROP TABLE learner_processes',
      'ALTER TABLE learners DROP COLUMN seen_at',
      'ALTER TABLE learners DROP COLUMN settings',
      "UPDATE learners SET registered_at = '2026-01-02T03:04:05.678Z'",
      "DELETE FROM schema_migrations WHERE version IN ('1.23.0', '1.24.0', '1.25.0', '1.26.0')",
    ]);

    const agent = await openMemory({ url: folder.url, cache: false });
    cleanups.push(() => agent.close());
    expect(agent.migration).toMatchObject({
      from: '1.22.0',
      applied: ['1.23.0', '1.24.0', '1.25.0', '1.26.0'],
    });
    const episode = await agent.episodes.start({ taskType: 'debugging', domain: 'web' });
    await agent.episodes.complete(episode.id, { status: 'completed' });
    expect((await agent.learning.status()).learners.mining).toMatchObject({
      pending: 1,
      alive: false,
      lastSeenAt: '2026-01-02T03:04:05.678Z',
    });

    const learner = await openMemory(config);
    cleanups.push(() => learner.close());
    const running = (await agent.learning.status()).learners.mining;
    expect(running).toMatchObject({ alive: true });
    expect(running?.lastSeenAt).not.toBe('2026-01-02T03:04:05.678Z');
  });
});
