import { relevantPatternsSchema } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { assertDomainsAllowed } from '../auth/domain-access.js';
import { readProcedure, router, writeProcedure } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

const patternId = z.string().min(1).max(128);
const askedDomain = (input: { domain?: string | undefined }) =>
  input.domain === undefined ? undefined : [input.domain];

export function createPatternsRouter({ memory }: RouterDeps) {
  return router({
    /** The seed's pattern query: by type, at or above a success rate, best first. */
    list: readProcedure.input(boundedInput(memory.schemas.listPatterns)).query(({ ctx, input }) => {
      assertDomainsAllowed(ctx.caller, askedDomain(input));
      return memory.patterns.list(input, ctx.call);
    }),

    get: readProcedure.input(boundedInput(z.strictObject({ patternId }))).query(async ({ ctx, input }) => {
      const pattern = await memory.patterns.get(input.patternId, ctx.call);
      if (pattern === null)
        throw new TRPCError({ code: 'NOT_FOUND', message: `Pattern ${input.patternId} does not exist.` });
      return pattern;
    }),

    /**
     * The mined patterns relevant to a task (by evidence, text and task type), best first, each
     * with its supporting episode ids, counts and lift.
     */
    relevant: readProcedure.input(boundedInput(relevantPatternsSchema(memory))).query(({ ctx, input }) => {
      assertDomainsAllowed(ctx.caller, askedDomain(input));
      return memory.patterns.relevant(input, ctx.call);
    }),

    /**
     * Records that a pattern was used in an episode and whether it helped; ranking uses it. An
     * episode counts once per pattern, so a retry does not inflate the count.
     */
    recordUsage: writeProcedure
      .input(boundedInput(z.strictObject({ patternId, episodeId: memory.schemas.id, helped: z.boolean() })))
      .mutation(({ ctx, input: { patternId: id, ...usage } }) =>
        memory.patterns.recordUsage(id, usage, ctx.call),
      ),
  });
}
