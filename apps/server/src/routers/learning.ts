import { learningFlushInputSchema, learningRetireInputSchema } from '@episodic/core';
import { adminProcedure, noInput, router } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

/**
 * The background learning queue: how far behind it is, why rows failed, waiting for it to drain,
 * queueing failed rows again and retiring a learner nobody runs. Admin only: the queue covers every
 * domain, and an admin token always does too (the token store refuses a domain-limited one), so no
 * domain-limited token can read another domain's failures, retry its rows or delete them.
 */
export function createLearningRouter({ memory }: RouterDeps) {
  return router({
    /**
     * Pending and failed rows per learner, the oldest pending age, the server's throughput, and
     * each learner's newest failure (episode, error message cut to 500 characters, time).
     */
    status: adminProcedure.input(boundedInput(noInput)).query(() => memory.learning.status()),
    /** Waits until nothing is pending (scripts, tests); `TIMEOUT` after `timeoutMs`. */
    flush: adminProcedure
      .input(boundedInput(learningFlushInputSchema))
      .mutation(({ input }) => memory.learning.flush(input)),
    /** Queues every failed row again with fresh attempts (once the provider is back); returns how many. */
    retryFailed: adminProcedure.input(boundedInput(noInput)).mutation(() => memory.learning.retryFailed()),
    /**
     * Deletes a learner's registration and queue rows once no process runs it (removed from the
     * configuration), so completions stop queueing work for it; `CONFLICT` while some process
     * runs it or the server is configured with it, `NOT_FOUND` for a name the store does not know.
     */
    retire: adminProcedure
      .input(boundedInput(learningRetireInputSchema))
      .mutation(({ ctx, input }) => memory.learning.retire(input.learner, ctx.call)),
  });
}
