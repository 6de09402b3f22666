import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import { EpisodicError } from '../errors.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { EpisodeLearner } from './episode-learner.js';
import { createBatchLearner } from './learn-batch.js';
import { createLearnerPresence, type LearnerClaim } from './learner-presence.js';
import { createSettingsWatch } from './learner-settings.js';
import type { ResolvedLearningOptions } from './learning-options.js';
import { type ClaimedWork, createLearningQueue } from './learning-queue.js';
import { type LearnerStatus, type LearningStatus, pendingOf, unattendedNote } from './learning-status.js';
import { createThroughput } from './throughput.js';

export interface LearningRunnerDeps {
  db: Database;
  /** The learners configured now (a `reindex` can add the embedder). */
  learners: () => readonly EpisodeLearner[];
  options: ResolvedLearningOptions;
  logger: Logger;
  /** Called after a batch committed, with the episodes it learned from. */
  learned: (learner: string, episodeIds: readonly string[]) => void;
}

/**
 * Runs each learner in a loop: claim a batch under a lease, learn outside the write lock,
 * commit the results and the queue rows' removal together; on failure put the batch back with
 * backoff. Loops sleep when the queue is empty and wake when this process queues work.
 */
export function createLearningRunner(deps: LearningRunnerDeps) {
  const { db, options, logger } = deps;
  const owner = `${hostname()}:${process.pid}:${newId()}`;
  const queue = createLearningQueue(db, owner);
  const presence = createLearnerPresence(db, owner);
  const settingsWatch = createSettingsWatch(owner, logger, (learner, settings) =>
    presence.record(learner, settings),
  );
  // Leases and this process's claim to its learners are renewed alike, and run out alike.
  const renewEveryMs = Math.max(100, Math.floor(options.leaseMs / 3));
  let presenceTimer: ReturnType<typeof setInterval> | undefined;
  let renewing: Promise<void> | null = null;
  const closing = new AbortController();
  const loops = new Map<string, Promise<void>>();
  const wakers = new Set<() => void>();
  /** Called whenever a batch ends, so `flush` re-checks at once instead of polling blindly. */
  const progress = new Set<() => void>();
  const progressed = () => {
    for (const listener of [...progress]) listener();
  };
  const throughput = createThroughput(60_000);

  const learnBatch = createBatchLearner({
    db,
    queue,
    options,
    logger,
    closing: closing.signal,
    renewEveryMs,
    throughput,
    learned: deps.learned,
    progressed,
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

  async function loop(learner: EpisodeLearner): Promise<void> {
    // Logged when claiming starts failing, not on every poll while it does (a full disk).
    let claimFailing = false;
    while (!closing.signal.aborted) {
      // Left to an older process with other settings: its rows are that one's to learn.
      if (settingsWatch.leftTo(learner.name) !== null) {
        await sleep(options.pollMs);
        continue;
      }
      let work: ClaimedWork[] = [];
      try {
        work = await queue.claim(learner.name, learner.batchSize, options.leaseMs, options.maxAttempts);
        claimFailing = false;
      } catch (error) {
        if (closing.signal.aborted) return;
        if (!claimFailing)
          logger.warn(`episodic: could not claim learning work: ${(error as Error).message}`);
        claimFailing = true;
      }
      if (work.length === 0) await sleep(options.pollMs);
      else await learnBatch(learner, work);
    }
  }

  const names = () => deps.learners().map((learner) => learner.name);
  const claims = (): LearnerClaim[] =>
    deps.learners().map(({ name, settings, unlearned }) => ({ name, settings: settings ?? null, unlearned }));
  const runsHere = () => options.run && !closing.signal.aborted;

  /** Claims this process's learners again, and leaves each to an older process with other settings, or takes it back. */
  async function renewClaims(): Promise<void> {
    const mine = claims();
    await settingsWatch.apply(mine, await presence.renew(mine, options.leaseMs));
  }

  function renewPresence(): void {
    // A renewal still waiting for the write lock is as good as the next one.
    renewing ??= renewClaims()
      .catch(() => undefined)
      .finally(() => {
        renewing = null;
      });
  }

  async function status(): Promise<LearningStatus> {
    const configured = names();
    const [rows, seen] = await Promise.all([queue.status(configured), presence.read()]);
    const here = new Set(runsHere() ? configured.filter((name) => settingsWatch.leftTo(name) === null) : []);
    const settingsOf = new Map(claims().map((claim) => [claim.name, claim.settings]));
    const learnerOf = new Map(deps.learners().map((learner) => [learner.name, learner]));
    const learners: Record<string, LearnerStatus> = {};
    for (const [name, row] of rows) {
      const found = seen.get(name);
      learners[name] = {
        ...row,
        learnedPerSecond: throughput.perSecond(name),
        runsHere: here.has(name),
        alive: here.has(name) || found?.alive === true,
        lastSeenAt: found?.seenAt ?? null,
        settings: settingsOf.get(name) ?? null,
        leftTo: settingsWatch.leftTo(name),
        partFailures: learnerOf.get(name)?.partFailures?.() ?? {},
      };
    }
    const all = Object.values(learners);
    const rates = configured.map((name) => learners[name]?.learnedPerSecond ?? 0);
    return {
      pending: all.reduce((sum, row) => sum + row.pending, 0),
      unattended: all.reduce((sum, row) => sum + (row.alive ? 0 : row.pending), 0),
      failed: all.reduce((sum, row) => sum + row.failed, 0),
      oldestPendingSeconds: Math.max(0, ...all.map((row) => row.oldestPendingSeconds)),
      learnedPerSecond: rates.length === 0 ? 0 : Math.min(...rates),
      running: options.run,
      learners,
    };
  }

  return {
    /** The learners' queue names, for the rows a completion writes. */
    names,
    /**
     * Registers this process's learners on the store, claims them as running here and keeps the
     * claim fresh, then starts them. A store that does not run learners registers none.
     */
    async start(): Promise<void> {
      if (runsHere()) {
        await renewClaims();
        presenceTimer = setInterval(renewPresence, renewEveryMs);
        presenceTimer.unref();
      }
      this.wake();
    },
    /** Starts a loop for every learner without one, and wakes the idle ones. */
    wake(): void {
      if (!runsHere()) return;
      for (const learner of deps.learners())
        if (!loops.has(learner.name)) loops.set(learner.name, loop(learner));
      for (const wake of [...wakers]) wake();
    },
    status,

    /**
     * Waits until no row of a learner some process runs now is pending (failed ones do not count),
     * and says which rows it left to learners nobody runs.
     */
    async flush(timeoutMs = 60_000): Promise<LearningStatus> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        this.wake();
        const current = await status();
        const waiting = current.pending - current.unattended;
        if (waiting === 0) {
          if (current.unattended > 0)
            logger.warn(`episodic: learning.flush did not wait for ${unattendedNote(current)}`);
          return current;
        }
        if (Date.now() > deadline)
          throw new EpisodicError(
            'TIMEOUT',
            `Learning still had ${waiting} rows pending after ${timeoutMs} ms (${pendingOf(current, true)})` +
              (current.unattended > 0 ? `; not waited for: ${unattendedNote(current)}.` : '.'),
          );
        // Woken by this process's next batch; the timeout covers work done by other processes.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            progress.delete(done);
            resolve();
          };
          const timer = setTimeout(done, 50);
          progress.add(done);
        });
      }
    },

    retryFailed: async (): Promise<number> => {
      const count = await queue.retryFailed(names());
      for (const wake of [...wakers]) wake();
      return count;
    },

    /** Stops the loops and waits for them; batches in flight are left for the next claim. */
    async close(): Promise<void> {
      clearInterval(presenceTimer);
      closing.abort(new EpisodicError('STORAGE', 'The store was closed while learning.'));
      for (const wake of [...wakers]) wake();
      await Promise.all(loops.values());
      await renewing;
      await queue.release().catch(() => undefined);
      if (presenceTimer !== undefined) await presence.leave().catch(() => undefined);
    },
  };
}

export type LearningRunner = ReturnType<typeof createLearningRunner>;
