import type { Database } from '../db/database.js';
import { refusedInput } from '../embeddings/refused-input.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EpisodeLearner } from './episode-learner.js';
import type { ResolvedLearningOptions } from './learning-options.js';
import type { ClaimedWork, LearningQueue } from './learning-queue.js';
import type { createThroughput } from './throughput.js';

/** A learner's own failure on a batch: its message, and whether the provider refused the inputs themselves. */
interface Failure {
  message: string;
  refused: boolean;
}

/** Halvings in a row, below a batch whose every part failed, before its parts are retried whole. */
const barrenHalvings = 2;

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
   * handled here (the lease lost to another learner, the store refusing for the moment); else a
   * failure of the learner's own, for `learnBatch` to deal with.
   */
  async function attempt(learner: EpisodeLearner, work: ClaimedWork[]): Promise<Failure | null> {
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
      return { message, refused: refusedInput(error) };
    } finally {
      clearInterval(heartbeat);
      progressed();
    }
  }

  const retry = async (learner: EpisodeLearner, part: ClaimedWork[], message: string) => {
    logger.warn(`episodic: ${learner.name} could not learn from ${part.length} episodes: ${message}`);
    await queue.retryLater(part, message, backoff).catch(() => undefined);
  };

  /**
   * Learns from a claimed batch. When the learner fails on it, the batch is halved to find the
   * episodes it cannot take (a text the provider refuses), so that each fails alone, named in
   * `lastFailure`, and the others are learned: one such episode failed its whole batch, at every
   * retry. Both halves failing is an outage, and both are retried later, unless the provider
   * refused the inputs themselves (a 4xx): then each half may hold one such episode of its own
   * (two in one batch failed it whole, at every retry and every `retryFailed`), and each is halved
   * again, while some part is learned within `barrenHalvings` more (a provider that refuses
   * everything, a model name it does not know, is not asked once per episode).
   */
  async function learnBatch(learner: EpisodeLearner, work: ClaimedWork[]): Promise<void> {
    const failed = await attempt(learner, work);
    if (failed !== null) await isolate(learner, work, failed, 0);
  }

  /** `work` failed with `failure`; `barren`: halvings in a row above it whose every part failed. */
  async function isolate(
    learner: EpisodeLearner,
    work: ClaimedWork[],
    failure: Failure,
    barren: number,
  ): Promise<void> {
    if (closing.aborted) return;
    if (work.length === 1) return retry(learner, work, failure.message);
    const half = Math.ceil(work.length / 2);
    const failures: { part: ClaimedWork[]; failure: Failure }[] = [];
    for (const part of [work.slice(0, half), work.slice(half)]) {
      const failed = await attempt(learner, part);
      if (failed !== null) failures.push({ part, failure: failed });
    }
    const [only, other] = failures;
    if (only === undefined) return;
    if (other === undefined) return isolate(learner, only.part, only.failure, 0);
    for (const { part, failure: failed } of failures) {
      if (failed.refused && barren < barrenHalvings) await isolate(learner, part, failed, barren + 1);
      else if (!closing.aborted) await retry(learner, part, failed.message);
    }
  }

  return learnBatch;
}
