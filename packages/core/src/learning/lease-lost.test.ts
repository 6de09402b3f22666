import type { PatternMinerV1 } from '@episodic/plugin';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a learner that lost its lease', () => {
  it('says so, counts no failure and leaves the rows to the learner that took them over', async () => {
    // The miner waits inside the batch until the test, playing another learner, has taken the lease.
    let mining: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => {
      mining = resolve;
    });
    let goOn: () => void = () => undefined;
    const resumed = new Promise<void>((resolve) => {
      goOn = resolve;
    });
    const pair = createActionPairMiner();
    const miner: PatternMinerV1 = {
      ...(pair as PatternMinerV1),
      mine: async (input) => {
        mining();
        await resumed;
        return pair.mine(input);
      },
    };
    const warnings: string[] = [];
    const store = await openTempMemory({
      miners: [miner],
      logger: { warn: (message) => warnings.push(message) },
      learning: { retryBaseMs: 10 },
    });
    const raw = createClient({ url: store.url, intMode: 'number' });
    cleanups.push(
      () => store.close(),
      () => raw.close(),
    );

    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await store.memory.episodes.logSteps(episode.id, [
      { action: 'read_file', success: true },
      { action: 'edit_file', success: true },
    ]);
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
    await inside;
    const row =
      "SELECT lease_owner, attempts, last_error, failed_at FROM learning_queue WHERE learner = 'mining'";
    const taken = (await raw.execute(row)).rows[0];
    await raw.execute(
      `UPDATE learning_queue SET lease_owner = 'another learner', lease_until = '9999-01-01T00:00:00.000Z'
       WHERE learner = 'mining'`,
    );
    goOn();
    await expect.poll(() => warnings.length, { timeout: 20_000 }).toBe(1);
    expect(warnings[0]).toBe(
      'episodic: mining lost its lease on 1 episodes to another learner before storing what it learned ' +
        '(it worked longer than learning.leaseMs, 30000 ms, without renewing it, or the process was paused); ' +
        'the other learner has them now',
    );
    // Nothing counted against the rows: the other learner's attempt is theirs to report.
    expect({ ...(await raw.execute(row)).rows[0] }).toEqual({
      lease_owner: 'another learner',
      attempts: taken?.attempts,
      last_error: null,
      failed_at: null,
    });
    expect(await store.memory.learning.status()).toMatchObject({ pending: 1, failed: 0 });

    // The other learner gives the rows back (as a closing one does): they are learned, once.
    await raw.execute(
      "UPDATE learning_queue SET lease_owner = NULL, lease_until = NULL WHERE learner = 'mining'",
    );
    expect(await store.memory.learning.flush({ timeoutMs: 20_000 })).toMatchObject({ pending: 0, failed: 0 });
    expect((await store.memory.patterns.list({ type: 'action_pair' })).items.map((p) => p.support)).toEqual([
      1,
    ]);
    expect(warnings).toHaveLength(1);
  });

  it('marks rows failed, saying why, once their lease ran out maxAttempts times, instead of claiming them again', async () => {
    const folder = await openTempMemory({ miners: [createActionPairMiner()], learning: { run: false } });
    const episode = await folder.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await folder.memory.episodes.logSteps(episode.id, [{ action: 'read_file' }, { action: 'edit_file' }]);
    await folder.memory.episodes.complete(episode.id, { status: 'completed' });
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(
      () => folder.close(),
      () => raw.close(),
    );
    // As eight learners in turn leave it: each claimed it and let its lease run out (killed, paused,
    // or a batch longer than the lease while the next one took it over).
    await raw.execute(
      `UPDATE learning_queue SET attempts = 8, lease_owner = 'gone', lease_until = '2000-01-01T00:00:00.000Z'`,
    );
    const learner = await openMemory({ url: folder.url, miners: [createActionPairMiner()], cache: false });
    cleanups.push(() => learner.close());
    const status = await learner.learning.flush({ timeoutMs: 20_000 });
    expect(status).toMatchObject({ pending: 0, failed: 1 });
    expect(status.learners.mining?.lastFailure).toMatchObject({
      episodeId: episode.id,
      error: expect.stringMatching(/^its lease ran out 8 times before a learner stored what it learned/),
    });
    expect((await learner.patterns.list({ type: 'action_pair' })).items).toEqual([]);
    // Once the cause is dealt with, a retry learns it, once.
    expect(await learner.learning.retryFailed()).toBe(1);
    expect(await learner.learning.flush({ timeoutMs: 20_000 })).toMatchObject({ pending: 0, failed: 0 });
    expect((await learner.patterns.list({ type: 'action_pair' })).items.map((p) => p.support)).toEqual([1]);
  });
});
