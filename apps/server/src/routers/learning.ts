import { learningFlushInputSchema } from '@episodic/core';
import { adminProcedure, router } from '../trpc.js';
import type { RouterDeps } from './router-deps.js';

/**
 * The background learning queue: how far behind it is, why rows failed, waiting for it to drain
 * and queueing failed rows again. Admin only: the queue covers every domain, and an admin token
 * always does too (the token store refuses a domain-limited one), so no domain-limited token can
 * read another domain's failures or retry its rows.
 */
export function createLearningRouter({ memory }: RouterDeps) {
  return router({
    /**
     * Pending and failed rows per learner, the oldest pending age, the server's throughput, and
     * each learner's newest failure (episode, error message cut to 500 characters, time).
     */
    status: adminProcedure.query(() => memory.learning.status()),
    /** Waits until nothing is pending (scripts, tests); `TIMEOUT` after `timeoutMs`. */
    flush: adminProcedure
      .input(learningFlushInputSchema)
      .mutation(({ input }) => memory.learning.flush(input)),
    /** Queues every failed row again with fresh attempts (once the provider is back); returns how many. */
    retryFailed: adminProcedure.mutation(() => memory.learning.retryFailed()),
  });
}
