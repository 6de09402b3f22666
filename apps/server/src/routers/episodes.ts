import { recordEpisodesSchema } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { assertDomainsAllowed } from '../auth/domain-access.js';
import { refuseDerivedIds, stepIds } from '../otlp/derived-id.js';
import { readProcedure, router, writeProcedure } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

/** The episode lifecycle: start, log steps, complete or archive, read back. */
export function createEpisodesRouter({ memory, events }: RouterDeps) {
  const { schemas } = memory;
  const episodeRef = z.strictObject({ episodeId: schemas.id });

  return router({
    /**
     * Starts an episode. A start sent again with its `id` after a lost answer returns the episode
     * as it is now; only an active one is announced (again: delivery is at least once).
     */
    start: writeProcedure
      .input(
        boundedInput(
          schemas.startEpisode.superRefine((input, ctx) => refuseDerivedIds(ctx, [[input.id, ['id']]])),
        ),
      )
      .mutation(async ({ ctx, input }) => {
        const episode = await memory.episodes.start(input, ctx.call);
        if (episode.status === 'active') events.publish({ type: 'started', domain: episode.domain, episode });
        return episode;
      }),

    /** Appends steps. A step sent again with the same `id` (a retry) is stored once. */
    logSteps: writeProcedure
      .input(
        boundedInput(
          z
            .strictObject({ episodeId: schemas.id, steps: schemas.steps })
            .superRefine((input, ctx) => refuseDerivedIds(ctx, stepIds(input.steps, ['steps']))),
        ),
      )
      .mutation(async ({ ctx, input }) => {
        // The domain the write itself read: an id forgotten and started again (by any process) can
        // name another domain's episode than it did, and its steps go to that domain's subscribers.
        const { domain, steps } = await memory.episodes.appendSteps(input.episodeId, input.steps, ctx.call);
        events.publish({ type: 'steps', domain, episodeId: input.episodeId, steps });
        return steps;
      }),

    complete: writeProcedure
      .input(boundedInput(schemas.completeEpisode.extend({ episodeId: schemas.id })))
      .mutation(async ({ ctx, input: { episodeId, ...outcome } }) => {
        const episode = await memory.episodes.complete(episodeId, outcome, ctx.call);
        events.publish({ type: 'completed', domain: episode.domain, episode });
        return episode;
      }),

    archive: writeProcedure.input(boundedInput(episodeRef)).mutation(async ({ ctx, input }) => {
      const episode = await memory.episodes.archive(input.episodeId, ctx.call);
      events.publish({ type: 'archived', domain: episode.domain, episode });
      return episode;
    }),

    /**
     * Episodes with client-chosen ids, whole or in parts, in one transaction (`episodes.record`
     * of the engine, which the OTLP receiver also writes with). Like the receiver, it publishes
     * no events: a part sent again would announce the episode twice.
     */
    record: writeProcedure
      .input(
        boundedInput(
          recordEpisodesSchema(schemas).superRefine((records, ctx) =>
            refuseDerivedIds(
              ctx,
              records.flatMap((record, i) => [
                [record.id, [i, 'id']] as const,
                ...stepIds(record.steps, [i, 'steps']),
              ]),
            ),
          ),
        ),
      )
      .mutation(({ ctx, input }) => memory.episodes.record(input, ctx.call)),

    /**
     * The episode with its steps: the first page of them for a long one (`stepCount`,
     * `nextStepsCursor`). Another domain's episode is `NOT_FOUND`, exactly like a missing one.
     */
    get: readProcedure.input(boundedInput(episodeRef)).query(async ({ ctx, input }) => {
      const found = await memory.episodes.get(input.episodeId, ctx.call);
      if (found === null)
        throw new TRPCError({ code: 'NOT_FOUND', message: `Episode ${input.episodeId} does not exist.` });
      return found;
    }),

    /**
     * An episode's steps in order, one page at a time: pass `get`'s `nextStepsCursor` (or none,
     * from the first step) as `cursor`, then each page's `nextCursor`; or start at a step number
     * (`fromStep`). `NOT_FOUND` as for `get`.
     */
    steps: readProcedure
      .input(boundedInput(schemas.listSteps.extend({ episodeId: schemas.id })))
      .query(async ({ ctx, input: { episodeId, ...page } }) => {
        const found = await memory.episodes.steps(episodeId, page, ctx.call);
        if (found === null)
          throw new TRPCError({ code: 'NOT_FOUND', message: `Episode ${episodeId} does not exist.` });
        return found;
      }),

    /** Newest first, one page at a time; pass `nextCursor` back as `cursor`. */
    list: readProcedure.input(boundedInput(schemas.listEpisodes)).query(({ ctx, input }) => {
      assertDomainsAllowed(ctx.caller, input.domain === undefined ? undefined : [input.domain]);
      return memory.episodes.list(input, ctx.call);
    }),
  });
}
