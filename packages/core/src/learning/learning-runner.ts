import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import { EpisodicError } from '../errors.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { EpisodeLearner } from './episode-learner.js';
import { createLearnerPresence, type LearnerClaim } from './learner-presence.js';
import { createSettingsWatch, type LeftTo } from './learner-settings.js';
import type { ResolvedLearningOptions } from './learning-options.js';
import { type ClaimedWork, createLearningQueue, type LearnerQueueStatus } from './learning-queue.js';
import { createThroughput } from './throughput.js';

export interface LearnerStatus extends LearnerQueueStatus {
  /** Episodes this process learned per second over the last minute. */
  learnedPerSecond: number;
  /** Whether this process runs this learner: it has it, and `learning.run` is on. */
  runsHere: boolean;
  /**
   * Whether some process runs this learner now: this one, or another whose claim has not run out
   * (renewed every `leaseMs / 3`, it lasts that process's `leaseMs`: a killed process stops counting
   * then, a closed one at once). `flush()` waits only for the rows of alive learners.
   */
  alive: boolean;
  /**
   * When a process last ran this learner (ISO): with `alive: false`, since when nobody has. `null`
   * when no process ever ran it (its rows were queued by a process that has it but does not run it).
   */
  lastSeenAt: string | null;
  /** What this process runs it with (`EpisodeLearner.settings`; mining: its miners), `null` when none. */
  settings: string | null;
  /**
   * The older process this one leaves the learner to, because it runs it with other settings
   * (`null` when none does): only one set of settings learns a learner's rows.
   */
  leftTo: LeftTo | null;
}

/** What `memory.learning.status()` reports. */
export interface LearningStatus {
  /** Queue rows still to learn (all learners; an episode has one per learner), failed ones excepted. */
  pending: number;
  /**
   * The `pending` rows of learners no process runs now (`alive: false`): `flush()` does not wait
   * for them; a process that runs their learner again learns them.
   */
  unattended: number;
  /** Rows left as failed after their last attempt; `learning.retryFailed()` queues them again. */
  failed: number;
  /** Age of the oldest row still to learn, in seconds. */
  oldestPendingSeconds: number;
  /** Episodes fully learned by this process per second over the last minute (the slowest learner's rate). */
  learnedPerSecond: number;
  /** Whether this process runs the learners (`learning.run`). */
  running: boolean;
  /** The learners this process has, and every other learner with rows in the queue. */
  learners: Record<string, LearnerStatus>;
}

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

  const delayAfter = (tries: number) => Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (tries - 1));
  const backoff = (attempts: number): number | null =>
    attempts >= options.maxAttempts ? null : delayAfter(attempts);
  /**
   * Batches in a row, per learner, that the store refused for the moment: a full disk (`FULL`) or
   * a write lock held past the busy timeout (`BUSY`). That is the store's state, not the
   * episodes', so it costs them no attempt (a disk full for longer than the attempts' backoff, a
   * few minutes, left every episode learned meanwhile as failed, to be retried by hand); the delay
   * grows with the streak instead, and the streak is logged once, not per batch.
   */
  const refusedInARow = new Map<string, number>();

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

  /**
   * Learns from `work` and stores the result. `null` when that is done, or when the failure is
   * handled here (the lease lost to another learner, the store refusing for the moment); else the
   * message of a failure of the learner's own, for `learnBatch` to deal with.
   */
  async function attempt(learner: EpisodeLearner, work: ClaimedWork[]): Promise<string | null> {
    const heartbeat = setInterval(
      () => void queue.renew(work, options.leaseMs).catch(() => undefined),
      renewEveryMs,
    );
    let finished = false;
    // An EpisodicError passes the storage guard of the learner's `db.write` unchanged (anything
    // else comes out as a STORAGE error), so the catch below knows this one by identity.
    const leaseLost = new EpisodicError('CONFLICT', 'Another learner took over this batch.');
    const finish = async (tx: Parameters<Parameters<Database['write']>[0]>[0]) => {
      if (!(await queue.done(tx, work))) throw leaseLost;
      finished = true;
    };
    try {
      const found = await readEpisodes(
        db,
        work.map((item) => item.episodeId),
      );
      const episodes = work.flatMap((item) => found.get(item.episodeId) ?? []);
      if (episodes.length > 0) await learner.learn(episodes, finish, closing.signal);
      if (!finished) await db.write(finish);
      throughput.add(learner.name, episodes.length);
      if (refusedInARow.delete(learner.name))
        logger.warn(`episodic: ${learner.name} stores what it learns again`);
      deps.learned(
        learner.name,
        episodes.map((episode) => episode.id),
      );
      return null;
    } catch (error) {
      if (closing.signal.aborted) return null;
      if (error === leaseLost) {
        // Not a failure: the rows are the other learner's to learn and to count; the transaction
        // that would have stored this batch's results rolled back.
        logger.warn(
          `episodic: ${learner.name} lost its lease on ${work.length} episodes to another learner before storing ` +
            `what it learned (it worked longer than learning.leaseMs, ${options.leaseMs} ms, without renewing it, ` +
            'or the process was paused); the other learner has them now',
        );
        return null;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (EpisodicError.isInstance(error) && (error.code === 'FULL' || error.code === 'BUSY')) {
        const streak = (refusedInARow.get(learner.name) ?? 0) + 1;
        refusedInARow.set(learner.name, streak);
        if (streak === 1)
          logger.warn(
            `episodic: ${learner.name} could not store what it learned from ${work.length} episodes: ${message} ` +
              'It tries again, without counting this against their attempts, until the store takes it.',
          );
        await queue.retryLater(work, message, () => delayAfter(streak), false).catch(() => undefined);
        return null;
      }
      return message;
    } finally {
      clearInterval(heartbeat);
      progressed();
    }
  }

  /**
   * Learns from a claimed batch. When the learner fails on it, the batch is halved while exactly
   * one half fails, so that one episode it cannot take (a text the provider refuses) fails alone,
   * named in `lastFailure`, and the others are learned: it failed its whole batch, at every retry.
   * When both halves fail (the provider is down), both are retried later, without going further.
   */
  async function learnBatch(learner: EpisodeLearner, work: ClaimedWork[]): Promise<void> {
    const failed = await attempt(learner, work);
    if (failed === null) return;
    const retry = async (part: ClaimedWork[], message: string) => {
      logger.warn(`episodic: ${learner.name} could not learn from ${part.length} episodes: ${message}`);
      await queue.retryLater(part, message, backoff).catch(() => undefined);
    };
    let failing = work;
    let message = failed;
    while (failing.length > 1 && !closing.signal.aborted) {
      const half = Math.ceil(failing.length / 2);
      const halves = [failing.slice(0, half), failing.slice(half)];
      const failures: { part: ClaimedWork[]; message: string }[] = [];
      for (const part of halves) {
        const reason = await attempt(learner, part);
        if (reason !== null) failures.push({ part, message: reason });
      }
      const [only] = failures;
      if (only === undefined || failures.length > 1) {
        for (const failure of failures) await retry(failure.part, failure.message);
        return;
      }
      failing = only.part;
      message = only.message;
    }
    if (!closing.signal.aborted) await retry(failing, message);
  }

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
    deps.learners().map(({ name, settings }) => ({ name, settings: settings ?? null }));
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

  /** `mining: 3, run by another process`, for each learner with pending rows that is `alive` or not. */
  const pendingOf = (current: LearningStatus, alive: boolean): string =>
    Object.entries(current.learners)
      .filter(([, learner]) => learner.pending > 0 && learner.alive === alive)
      .map(([name, learner]) => {
        const where = learner.runsHere
          ? 'run here'
          : learner.alive
            ? 'run by another process'
            : learner.lastSeenAt === null
              ? 'never run'
              : `last run ${learner.lastSeenAt}`;
        return `${name}: ${learner.pending}, ${where}`;
      })
      .join('; ');

  const unattendedNote = (current: LearningStatus): string =>
    `${current.unattended} rows of learners no process runs now (${pendingOf(current, false)}), ` +
    'which a process running them again will learn';

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
