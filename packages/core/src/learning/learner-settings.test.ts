import type { PatternMinerV1 } from '@episodic/plugin';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { recordingLogger } from '../cache/__fixtures__/test-cache.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { forkFromSource } from './__fixtures__/fork-from-source.js';
import { type Cleanups, finishedEpisode, openLearningStore } from './__fixtures__/learning-store.js';
import type { LearningStatus } from './learning-status.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The child starts from source through tsx: slow on a loaded machine. */
const childWaitMs = 60_000;

/** A worker process with the action-pair miner alone, polling every 50 ms and renewing every 200 ms. */
async function startWorker(url: string) {
  const { child } = forkFromSource('./miner-set-process.ts', [url, '50', '600'], cleanups);
  const warnings: string[] = [];
  const statuses: LearningStatus[] = [];
  let ready = false;
  child.on('message', (message: 'ready' | { warning: string } | { status: LearningStatus }) => {
    if (message === 'ready') ready = true;
    else if ('warning' in message) warnings.push(message.warning);
    else statuses.push(message.status);
  });
  await expect.poll(() => ready, { timeout: childWaitMs }).toBe(true);
  const status = async () => {
    const asked = statuses.length;
    child.send('status');
    await expect.poll(() => statuses.length, { timeout: childWaitMs }).toBeGreaterThan(asked);
    return statuses[statuses.length - 1] as LearningStatus;
  };
  return { warnings, status };
}

/** The action-pair miner under another pattern type: a pattern on every episode, from the server's miners alone. */
const secondPair: PatternMinerV1 = {
  ...(createActionPairMiner() as PatternMinerV1),
  patternType: 'second_pair',
};

describe('a learner run by processes with different settings', () => {
  it('is left by a worker with fewer miners to the server that had it first, which mines every episode with all of its', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const { warnings: serverWarnings, logger } = recordingLogger();
    // The server: both miners, polling the queue slowly, so that a worker free to claim would take the episodes.
    const server = await openLearningStore(cleanups, folder.url, {
      miners: [createActionPairMiner(), secondPair],
      learning: { pollMs: 2_000, leaseMs: 600 },
      logger,
    });
    const worker = await startWorker(folder.url);
    // An agent with no learners of its own, as beside a server.
    const agent = await openLearningStore(cleanups, folder.url);
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) ids.push(await finishedEpisode(agent, `episode ${i}`));
    expect(await agent.learning.flush({ timeoutMs: childWaitMs })).toMatchObject({ pending: 0, failed: 0 });

    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    const minedBy = async (patternType: string) =>
      (
        await raw.execute({
          sql: `SELECT COUNT(DISTINCT l.episode_id) AS n FROM episode_patterns l JOIN patterns p ON p.id = l.pattern_id
                WHERE p.pattern_type = ?`,
          args: [patternType],
        })
      ).rows[0]?.n;
    expect(await minedBy('second_pair')).toBe(10);
    expect(await minedBy('action_pair')).toBe(10);

    const both = 'miners: action_pair, second_pair';
    expect(worker.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^episodic: mining is left to \\S+, which has run it longer, with other settings \\(${both}; this process: miners: action_pair\\)`,
        ),
      ),
    ]);
    expect((await worker.status()).learners.mining).toMatchObject({
      runsHere: false,
      alive: true,
      settings: 'miners: action_pair',
      leftTo: { settings: both },
    });
    // The server says so too, at its next renewal.
    await expect
      .poll(() => serverWarnings, { timeout: childWaitMs })
      .toContainEqual(
        expect.stringMatching(
          /has mining with other settings \(miners: action_pair; this process: miners: action_pair, second_pair\) and leaves it to this one/,
        ),
      );
    expect((await server.learning.status()).learners.mining).toMatchObject({
      runsHere: true,
      settings: both,
      leftTo: null,
    });

    // The server stops: the worker takes over, says the store was mined with other miners, and mines.
    await server.close();
    await expect
      .poll(() => worker.warnings, { timeout: childWaitMs })
      .toContainEqual(
        expect.stringContaining(
          `mining last ran on this store with other settings (${both}); it runs with miners: action_pair now`,
        ),
      );
    expect(worker.warnings).toContainEqual(expect.stringMatching(/^episodic: mining runs here again/));
    const later = await finishedEpisode(agent, 'after the server stopped');
    expect(await agent.learning.flush({ timeoutMs: childWaitMs })).toMatchObject({ pending: 0, failed: 0 });
    const mined = await raw.execute({
      sql: 'SELECT 1 FROM mined_episodes WHERE episode_id = ?',
      args: [later],
    });
    expect(mined.rows).toHaveLength(1);
    expect((await worker.status()).learners.mining).toMatchObject({ runsHere: true, leftTo: null });
  }, 180_000);
});
