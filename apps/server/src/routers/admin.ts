import { auditQuerySchema, forgetSelectorSchema } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { adminProcedure, noInput, router } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

/**
 * Operator procedures. They need the `admin` scope, and an admin token always covers every
 * domain (the token store refuses anything else), because what they report is store-wide.
 */
export function createAdminRouter({ memory, events, databaseBytes, startedAt }: RouterDeps) {
  return router({
    /** Cache hit rates per keyspace, database size, live subscriptions, forget's pending purge. */
    stats: adminProcedure.input(boundedInput(noInput)).query(async () => ({
      schemaVersion: await memory.admin.schemaVersion(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      databaseBytes: databaseBytes(),
      cache: memory.admin.cacheStats(),
      subscribers: events.subscriberCount,
      purge: (await memory.admin.stats()).purge,
    })),

    /** Refreshes the query planner's statistics (the seed's `ANALYZE`). */
    analyze: adminProcedure.input(boundedInput(noInput)).mutation(async () => {
      const started = performance.now();
      await memory.admin.analyze();
      return { durationMs: Math.round(performance.now() - started) };
    }),

    /**
     * Proves the database answers, with the schema version it reports. A store whose database
     * file was deleted or replaced under it is 503, as `/healthz` says, with the reason (its path
     * included: an admin may know it).
     */
    health: adminProcedure.input(boundedInput(noInput)).query(async () => {
      const lost = memory.admin.lostDatabaseFile();
      if (lost !== null) throw new ServerError('UNAVAILABLE', lost);
      return {
        status: 'ok' as const,
        schemaVersion: await memory.admin.schemaVersion(),
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      };
    }),

    /**
     * The audit log, oldest first: by time, actor (a token id, `local`, `retention`), operation
     * and outcome; page on with `afterSeq`. Reads still buffered are written first, so the answer
     * includes every call made before this one. Querying the log is itself audited.
     */
    audit: adminProcedure.input(boundedInput(auditQuerySchema)).query(async ({ ctx, input }) => {
      memory.admin.recordAudit({
        actor: ctx.caller.id,
        operation: 'admin',
        entityType: 'audit_log',
        outcome: 'ok',
      });
      await memory.admin.flushAudit();
      return memory.admin.audit(input, { scope: ctx.scope });
    }),

    /**
     * Deletion on request: the episodes named by id, of a domain (optionally created before a
     * time), or matching metadata values, with their steps, vectors, links and cached copies;
     * the patterns they supported are recomputed. Each deletion is audited, without content.
     */
    forget: adminProcedure
      .input(boundedInput(forgetSelectorSchema(memory.schemas)))
      .mutation(({ ctx, input }) => memory.admin.forget(input, ctx.call)),

    /**
     * Waits until the text of every episode forgotten so far is out of the database file and its
     * WAL (forget leaves that purge to the background), and reports the purge's state.
     */
    purge: adminProcedure.input(boundedInput(noInput)).mutation(() => memory.admin.purge()),
  });
}
