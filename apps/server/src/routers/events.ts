import { maxScopeDomains } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { assertDomainsAllowed } from '../auth/domain-access.js';
import type { EpisodeEvent } from '../events/episode-event.js';
import { handledAhead } from '../events/handled-ahead.js';
import { readProcedure, router } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

export function createEventsRouter({ memory, events }: RouterDeps) {
  // Bounded as a token's domains are: a million of them (3 MB) were each checked and each
  // refusal listed, and the server ran out of memory.
  const filter = z
    .strictObject({ domains: z.array(memory.schemas.domain).min(1).max(maxScopeDomains).optional() })
    .optional();

  /** Ends the stream once its token is revoked: a subscription outlives the request that proved it. */
  async function* whileTokenActive(tokenId: string, source: AsyncGenerator<EpisodeEvent, void>) {
    for await (const event of source) {
      if (!(await memory.tokens.isActive(tokenId))) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'The token of this subscription was revoked.' });
      }
      yield event;
    }
  }

  return router({
    /**
     * Live episode events (started, steps, completed, archived) over Server-Sent Events, limited
     * to the token's domains and, if given, to `domains`.
     */
    onEpisode: readProcedure.input(boundedInput(filter)).subscription(({ ctx, input, signal }) => {
      assertDomainsAllowed(ctx.caller, input?.domains);
      // Events carry episode data: opening the stream is a read, audited like one.
      memory.admin.recordAudit({
        actor: ctx.caller.id,
        operation: 'read',
        entityType: 'events',
        outcome: 'ok',
      });
      const source = events.subscribe({ domains: input?.domains ?? ctx.scope?.domains, signal });
      return handledAhead(whileTokenActive(ctx.caller.id, source));
    }),
  });
}
