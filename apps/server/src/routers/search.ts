import { assertDomainsAllowed } from '../auth/domain-access.js';
import { readProcedure, router } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

const askedDomain = (input: { domain?: string | undefined }) =>
  input.domain === undefined ? undefined : [input.domain];

export function createSearchRouter({ memory }: RouterDeps) {
  return router({
    /** BM25 full-text search over episodes and their steps, one hit per episode, best first. */
    text: readProcedure.input(boundedInput(memory.schemas.searchText)).query(({ ctx, input }) => {
      assertDomainsAllowed(ctx.caller, askedDomain(input));
      return memory.search.text(input, ctx.call);
    }),

    /**
     * The past episodes that matter most for a new task: full text, vector similarity, recency
     * and outcome fused, each result with the `why` of its rank (the engine's `retrieve`).
     */
    retrieve: readProcedure.input(boundedInput(memory.schemas.retrieve)).query(({ ctx, input }) => {
      assertDomainsAllowed(ctx.caller, askedDomain(input));
      return memory.search.retrieve(input, ctx.call);
    }),
  });
}
