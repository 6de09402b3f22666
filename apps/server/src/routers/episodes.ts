import { recordEpisodesSchema } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { assertDomainsAllowed } from '../auth/domain-access.js';
import { refuseDerivedIds, stepIds } from '../otlp/derived-id.js';
import { readProcedure, router, writeProcedure } from '../trpc.js';
import type { RouterDeps } from './router-deps.js';

/** The episode lifecycle: start, log steps, complete or archive, read back. */
export function createEpisodesRouter({ memory, events, episodeDomains }: RouterDeps) {
  const { schemas } = memory;
  const episodeRef = z.strictObject({ episodeId: schemas.id });

  return router({
    start: writeProcedure.input(schemas.startEpisode).mutation(async ({ ctx, input }) => {
      const episode = await memory.episodes.start(input, ctx.call);
      episodeDomains.remember(episode.id, episode.domain);
      events.publish({ type: 'started', domain: episode.domain, episode });
      return episode;
    }),

    /** Appends steps. A step sent again with the same `id` (a retry) is stored once. */
    logSteps: writeProcedure
      .input(
        z
          .strictObject({ episodeId: schemas.id, steps: schemas.steps })
          .superRefine((input, ctx) => refuseDerivedIds(ctx, stepIds(input.steps, ['steps']))),
      )
      .mutation(async ({ ctx, input }) => {
        const steps = await memory.episodes.logSteps(input.episodeId, input.steps, ctx.call);
        if (events.subscriberCount > 0) {
          const domain =
            episodeDomains.get(input.episodeId) ??
            (await memory.episodes.get(input.episodeId, ctx.call))?.domain;
          if (domain !== undefined) {
            episodeDomains.remember(input.episodeId, domain);
            events.publish({ type: 'steps', domain, episodeId: input.episodeId, steps });
          }
        }
        return steps;
      }),

    complete: writeProcedure
      .input(schemas.completeEpisode.extend({ episodeId: schemas.id }))
      .mutation(async ({ ctx, input: { episodeId, ...outcome } }) => {
        const episode = await memory.episodes.complete(episodeId, outcome, ctx.call);
        episodeDomains.forget(episodeId);
        events.publish({ type: 'completed', domain: episode.domain, episode });
        return episode;
      }),

    archive: writeProcedure.input(episodeRef).mutation(async ({ ctx, input }) => {
      const episode = await memory.episodes.archive(input.episodeId, ctx.call);
      episodeDomains.forget(input.episodeId);
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
        recordEpisodesSchema(schemas).superRefine((records, ctx) =>
          refuseDerivedIds(
            ctx,
            records.flatMap((record, i) => [
              [record.id, [i, 'id']] as const,
              ...stepIds(record.steps, [i, 'steps']),
            ]),
          ),
        ),
      )
      .mutation(async ({ ctx, input }) => {
        const recorded = await memory.episodes.record(input, ctx.call);
        // Ids are the client's to choose: one forgotten (`admin.forget`, retention, `episodic
        // forget`) may come back in another domain, and `logSteps` must then announce its steps
        // in the domain the engine recorded, not in one remembered from before.
        for (const { episode } of recorded)
          if (episode.status === 'active') episodeDomains.remember(episode.id, episode.domain);
          else episodeDomains.forget(episode.id);
        return recorded;
      }),

    /** The episode with its steps. Another domain's episode is `NOT_FOUND`, exactly like a missing one. */
    get: readProcedure.input(episodeRef).query(async ({ ctx, input }) => {
      const found = await memory.episodes.get(input.episodeId, ctx.call);
      if (found === null)
        throw new TRPCError({ code: 'NOT_FOUND', message: `Episode ${input.episodeId} does not exist.` });
      return found;
    }),

    /** Newest first, one page at a time; pass `nextCursor` back as `cursor`. */
    list: readProcedure.input(schemas.listEpisodes).query(({ ctx, input }) => {
      assertDomainsAllowed(ctx.caller, input.domain === undefined ? undefined : [input.domain]);
      return memory.episodes.list(input, ctx.call);
    }),
  });
}
