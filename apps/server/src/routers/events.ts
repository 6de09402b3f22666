import { maxScopeDomains } from '@episodic/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { assertDomainsAllowed } from '../auth/domain-access.js';
import type { EpisodeEvent } from '../events/episode-event.js';
import { handledAhead } from '../events/handled-ahead.js';
import { readProcedure, router } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

/** How often a subscription with no events to send checks that its token is still active. */
export const tokenCheckMs = 5_000;

export function createEventsRouter({ memory, events }: RouterDeps) {
  // Bounded as a token's domains are: a million of them (3 MB) were each checked and each
  // refusal listed, and the server ran out of memory.
  const filter = z
    .strictObject({ domains: z.array(memory.schemas.domain).min(1).max(maxScopeDomains).optional() })
    .optional();

  const revoked = () =>
    new TRPCError({ code: 'UNAUTHORIZED', message: 'The token of this subscription was revoked.' });

  /**
   * Ends the stream once its token is revoked: a subscription outlives the request that proved
   * it. Checked before each event, and every `tokenCheckMs` while none comes (a quiet domain's
   * stream stayed open on a revoked token until its next event). `ended` ends `stream`.
   */
  async function* whileTokenActive(
    tokenId: string,
    stream: AsyncGenerator<EpisodeEvent, void>,
    ended: AbortController,
  ) {
    let isRevoked = false;
    const check = setInterval(() => {
      memory.tokens.isActive(tokenId).then(
        (active) => {
          if (active) return;
          isRevoked = true;
          ended.abort();
        },
        // Not known now (the database busy): the next check, or the next event's, decides.
        () => undefined,
      );
    }, tokenCheckMs);
    check.unref();
    try {
      for await (const event of stream) {
        if (!(await memory.tokens.isActive(tokenId))) throw revoked();
        yield event;
      }
      if (isRevoked) throw revoked();
    } finally {
      clearInterval(check);
      // Ended here (a revoked token, an error, tRPC's return) or by the request's signal: the
      // stream's slot goes back either way.
      ended.abort();
    }
  }

  return router({
    /**
     * Live episode events (started, steps, completed, archived) over Server-Sent Events, limited
     * to the token's domains and, if given, to `domains`.
     */
    onEpisode: readProcedure.input(boundedInput(filter)).subscription(({ ctx, input, signal }) => {
      assertDomainsAllowed(ctx.caller, input?.domains);
      const domains = input?.domains ?? ctx.scope?.domains;
      // Registered now, not when tRPC first asks for an event: the per-token bound must count a
      // burst of requests as it comes. The request's end (the client gone) gives the slot back,
      // also when the stream was never started.
      const ended = new AbortController();
      if (signal?.aborted) ended.abort();
      else signal?.addEventListener('abort', () => ended.abort(), { once: true });
      const stream = events.subscribe({
        domains,
        owner: ctx.caller.id,
        signal: ended.signal,
        endConnection: ctx.endConnection,
      });
      // Events carry episode data: opening the stream is a read, audited like one.
      memory.admin.recordAudit({
        actor: ctx.caller.id,
        operation: 'read',
        entityType: 'events',
        outcome: 'ok',
      });
      return handledAhead(whileTokenActive(ctx.caller.id, stream, ended));
    }),
  });
}
