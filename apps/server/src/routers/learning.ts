import { learningFlushInputSchema } from '@episodic/core';
import { adminProcedure, router } from '../trpc.js';
import type { RouterDeps } from './router-deps.js';

/**
 * The background learning queue: how far behind it is, and waiting for it to drain. Admin only:
 * the counts cover every domain.
 */
export function createLearningRouter({ memory }: RouterDeps) {
  return router({
    /** Pending and failed rows per learner, the oldest pending age and the server's throughput. */
    status: adminProcedure.query(() => memory.learning.status()),
    /** Waits until nothing is pending (scripts, tests); `TIMEOUT` after `timeoutMs`. */
    flush: adminProcedure
      .input(learningFlushInputSchema)
      .mutation(({ input }) => memory.learning.flush(input)),
  });
}
