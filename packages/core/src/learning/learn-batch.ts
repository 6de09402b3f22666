import type { Database } from '../db/database.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EpisodeLearner } from './episode-learner.js';
import type { ResolvedLearningOptions } from './learning-options.js';
import type { ClaimedWork, LearningQueue } from './learning-queue.js';
import type { createThroughput } from './throughput.js';

export interface BatchLearnerDeps {
  db: Database;
  queue: LearningQueue;
  options: ResolvedLearningOptions;
  logger: Logger;
  /** Aborted when the store closes: what fails after that is not a failure. */
  closing: AbortSignal;
  /** How often a batch's leases are renewed while it is learned. */
  renewEveryMs: number;
  throughput: ReturnType<typeof createThroughput>;
  /** Called after a batch committed, with the episodes it learned from. */
  learned: (learner: string, episodeIds: readonly string[]) => void;
  /** Called whenever a batch ends. */
  progressed: () => void;
}

/**
 * Learns claimed batches: learn outside the write lock, commit the results and the queue rows'
 * removal together; on failure put the batch back with backoff.
 */
export function createBatchLearner(deps: BatchLearnerDeps) {
  const { db, queue, options, logger, closing, renewEveryMs, throughput, progressed } = deps;

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
      if (episodes.length > 0) await learner.learn(episodes, finish, closing);
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
      if (closing.aborted) return null;
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
    while (failing.length > 1 && !closing.aborted) {
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
    if (!closing.aborted) await retry(failing, message);
  }

  return learnBatch;
}
