import { z } from 'zod';

/** How the audit log stays bounded (see the README's "Audit log" section for how each default was chosen). */
export const auditOptionsSchema = z.strictObject({
  /**
   * Entries older than this many days are deleted by `admin.retention` (which the server runs on
   * its retention schedule); the pruning is itself audited. `null` keeps every entry forever.
   */
  retentionDays: z.number().int().positive().max(36_500).nullable().default(90),
  /**
   * `each`: one row per read or search, with the entity read. `per-minute`: one row per caller,
   * operation, entity type, domain and outcome per minute, with a `count` and no entity id: a
   * busy server's reads cost a few rows a minute instead of one each.
   */
  reads: z.enum(['each', 'per-minute']).default('each'),
  /**
   * Most entries held in memory while the database refuses them. Past it, every audited call
   * fails with a `STORAGE` error rather than go unaudited or let the buffer grow without bound.
   */
  maxPending: z.number().int().positive().default(100_000),
});
export type AuditOptions = z.input<typeof auditOptionsSchema>;
export type ResolvedAuditOptions = z.output<typeof auditOptionsSchema>;
