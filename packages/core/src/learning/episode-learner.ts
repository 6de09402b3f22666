import type { Transaction } from '@libsql/client';
import type { EpisodeWithAllSteps } from '../types.js';
import type { PartFailures } from './learning-status.js';

/**
 * Something that learns from finished episodes (status `completed` or `failed`): the embedder
 * stores their vectors, the miners turn them into pattern evidence.
 *
 * Learners run off the write path: completing an episode only queues it (see `learning-queue.ts`),
 * and a learning runner, in this process or in `episodic worker`, hands each learner batches of
 * queued episodes. A learner does its slow work (a model call, the miners) outside the write
 * lock, then stores its results in one write transaction in which it calls `finish(tx)`, which
 * removes the batch from the queue with them. A learner that throws leaves the batch queued: it
 * is retried with backoff, and after the last attempt it stays visible as failed.
 */
export interface EpisodeLearner {
  /** The queue's name for this learner's rows, also shown in logs and `learning.status()`. */
  readonly name: string;
  /** Episodes handed to one `learn` call. */
  readonly batchSize: number;
  /**
   * What it is set up with, where processes set up otherwise would learn the same rows
   * differently (the mining learner: its miners' pattern types). While an older process runs it
   * with other settings, this process leaves it to that one (`learner-settings.ts`). Absent: any
   * process runs it.
   */
  readonly settings?: string | undefined;
  /**
   * A `SELECT` of one column, the ids of the finished episodes this learner has not learned. When
   * a process first registers the learner on a store, they are queued for it in the same
   * transaction: completions queue work only for learners registered then, so episodes finished
   * before (by a process that runs no learners, on a store no learner ever ran on, or on one of a
   * version before 1.21.0) would otherwise never be learned. Absent: nothing is queued.
   */
  readonly unlearned?: string;
  /** Its parts' failures that cost no queue row (`LearnerStatus.partFailures`), when it has parts. */
  partFailures?(): Record<string, PartFailures>;
  /** `signal` aborts when the store closes: stop early, store nothing. */
  learn(
    episodes: readonly EpisodeWithAllSteps[],
    finish: (tx: Transaction) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void>;
}
