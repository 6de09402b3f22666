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
   * stream stayed open on a revoked token until its next event).
   */
  async function* whileTokenActive(
    tokenId: string,
    subscribe: (signal: AbortSignal) => AsyncGenerator<EpisodeEvent, void>,
    signal: AbortSignal | undefined,
  ) {
    const ended = new AbortController();
    const stop = () => ended.abort();
    signal?.addEventListener('abort', stop);
    let isRevoked = false;
    const check = setInterval(() => {
      memory.tokens.isActive(tokenId).then(
        (active) => {
          if (active) return;
          isRevoked = true;
          stop();
        },
        // Not known now (the database busy): the next check, or the next event's, decides.
        () => undefined,
      );
    }, tokenCheckMs);
    check.unref();
    try {
      if (signal?.aborted) return;
      for await (const event of subscribe(ended.signal)) {
        if (!(await memory.tokens.isActive(tokenId))) throw revoked();
        yield event;
      }
      if (isRevoked) throw revoked();
    } finally {
      clearInterval(check);
      signal?.removeEventListener('abort', stop);
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
      const domains = input?.domains ?? ctx.scope?.domains;
      return handledAhead(
        whileTokenActive(
          ctx.caller.id,
          (ended) => events.subscribe({ domains, signal: ended, endConnection: ctx.endConnection }),
          signal,
        ),
      );
    }),
  });
}
