import { z } from 'zod';

/** How this process takes part in learning (see the README's "Learning" section). */
export const learningOptionsSchema = z.strictObject({
  /**
   * Run the learners in this process. `false` only queues finished episodes: another process
   * opened on the same database with the same embeddings and miners (`episodic worker`) learns.
   */
  run: z.boolean().default(true),
  /**
   * How long a claimed batch stays reserved without a heartbeat before another process may take it,
   * and how long this process counts as running its learners (`alive` in every process's
   * `learning.status()`) after its last renewal: both are renewed every `leaseMs / 3`, so a killed
   * process stops counting within `leaseMs`.
   */
  leaseMs: z.number().int().min(200).max(3_600_000).default(30_000),
  /** Attempts per episode and learner before it is left as failed (see `learning.retryFailed()`). */
  maxAttempts: z.number().int().min(1).max(100).default(8),
  /** First retry delay; each later attempt waits twice as long, up to `retryMaxMs`. */
  retryBaseMs: z.number().int().min(1).default(1_000),
  retryMaxMs: z.number().int().min(1).default(300_000),
  /**
   * How long one miner's `mine()` on one episode may take before it is reported and left out for
   * that episode, as a miner that throws is (mining and `admin.remine()`). It bounds a call that
   * never settles, it does not tune anything: see the README's "Learning" section for the figure.
   */
  mineTimeoutMs: z.number().int().min(1).max(3_600_000).default(30_000),
  /**
   * How long one call of the embedding provider's `embed()` may take, when learning and in
   * `admin.reindex()`, before it fails as the provider failing (the batch is retried, and failed
   * after `maxAttempts`). A bound on a call that never settles, above a hosted provider's own
   * retries (about two minutes for embeddings-openai); not tuned.
   */
  embedTimeoutMs: z.number().int().min(1).max(3_600_000).default(300_000),
  /** How often an idle learner looks for work queued by another process (its own wakes it at once). */
  pollMs: z.number().int().min(10).max(60_000).default(500),
});

export type LearningOptions = z.input<typeof learningOptionsSchema>;
export type ResolvedLearningOptions = z.output<typeof learningOptionsSchema>;
