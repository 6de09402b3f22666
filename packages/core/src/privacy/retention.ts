import { z } from 'zod';
import { localActor } from '../audit/audit-event.js';
import { pruneAuditLog } from '../audit/audit-retention.js';
import type { EngineContext } from '../engine-context.js';
import { EpisodicError } from '../errors.js';
import { refreshEndingDocs } from '../search/episode-docs.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import type { ForgetReport } from './forget.js';
import type { ForgetOrigin } from './forget-journal.js';
import type { ForgetSelector } from './forget-selector.js';

const days = z.number().positive().max(36_500);

/** How long a domain keeps its episodes: archived after some days, deleted after more. */
export const retentionPolicySchema = z
  .strictObject({ archiveAfterDays: days.optional(), deleteAfterDays: days.optional() })
  .refine(
    (policy) => policy.archiveAfterDays !== undefined || policy.deleteAfterDays !== undefined,
    'set archiveAfterDays, deleteAfterDays or both',
  )
  .refine(
    (policy) =>
      policy.archiveAfterDays === undefined ||
      policy.deleteAfterDays === undefined ||
      policy.deleteAfterDays >= policy.archiveAfterDays,
    { message: 'deleteAfterDays must not be shorter than archiveAfterDays', path: ['deleteAfterDays'] },
  );
export type RetentionPolicy = z.input<typeof retentionPolicySchema>;

export interface RetentionReport {
  /** Episodes archived per domain. */
  archived: Record<string, number>;
  /** Episodes deleted per domain. */
  deleted: Record<string, number>;
  /** Audit entries deleted for being older than `audit.retentionDays`. */
  auditPruned: number;
}

export interface RetentionHooks {
  forget: (selector: ForgetSelector, options: CallOptions, origin: ForgetOrigin) => Promise<ForgetReport>;
  /** Drops cached copies of the episodes archived. */
  archived: (episodeIds: string[]) => void;
}

/**
 * Applies per-domain retention policies once (the server runs it on a schedule, the CLI on
 * demand): episodes older than `archiveAfterDays` are archived (still readable, out of default
 * retrieval), those older than `deleteAfterDays` are forgotten as `forget` does. Then audit
 * entries older than `audit.retentionDays` are pruned. A scoped caller may name only its own
 * domains (`FORBIDDEN` otherwise, nothing changed) and prunes no audit entries.
 */
export function createRetention(context: EngineContext, hooks: RetentionHooks) {
  const { db, audit } = context;
  const policiesSchema = z.record(context.schemas.domain, retentionPolicySchema);

  return async function applyRetention(
    policies: Record<string, RetentionPolicy>,
    options: CallOptions & { now?: Date } = {},
  ): Promise<RetentionReport> {
    const checked = parseInput(policiesSchema, policies, 'retention policies', 'policies');
    const { scope } = options;
    // Archiving and deleting are writes: a scoped caller may apply policies to its own domains only.
    const outside = Object.keys(checked).filter(
      (domain) => scope !== undefined && !scope.domains.includes(domain),
    );
    if (outside.length > 0)
      throw new EpisodicError('FORBIDDEN', `This caller may not apply retention to domain "${outside[0]}".`);
    const now = options.now ?? new Date();
    const cutoff = (after: number) => new Date(now.getTime() - after * 86_400_000).toISOString();
    const report: RetentionReport = { archived: {}, deleted: {}, auditPruned: 0 };
    for (const [domain, policy] of Object.entries(checked)) {
      if (policy.deleteAfterDays !== undefined) {
        const forgotten = await hooks.forget(
          { domain, createdBefore: cutoff(policy.deleteAfterDays) },
          options,
          'retention',
        );
        report.deleted[domain] = forgotten.episodeIds.length;
      }
      if (policy.archiveAfterDays !== undefined) {
        const before = cutoff(policy.archiveAfterDays);
        // An episode already past the delete line (one that crossed it after the forget above
        // looked) is left for the next run to delete, not archived on its way out.
        const notDue = policy.deleteAfterDays === undefined ? '' : 'AND created_at >= ?';
        const archived = await db.write(async (tx) => {
          const due = {
            sql: `domain = ? AND created_at < ? ${notDue} AND status != 'archived'`,
            args: [
              domain,
              before,
              ...(policy.deleteAfterDays === undefined ? [] : [cutoff(policy.deleteAfterDays)]),
            ],
          };
          // The active ones among them end here: whole in the index first.
          await tx.execute(
            refreshEndingDocs({ sql: `SELECT id FROM episodes WHERE ${due.sql}`, args: due.args }),
          );
          const rows = await tx.execute({
            sql: `UPDATE episodes SET status = 'archived', completed_at = COALESCE(completed_at, ?)
                  WHERE ${due.sql} RETURNING id`,
            args: [now.toISOString(), ...due.args],
          });
          const ids = rows.rows.map((row) => String(row.id));
          for (const id of ids) {
            await audit.inTransaction(tx, {
              actor: options.actor ?? localActor,
              operation: 'update',
              entityType: 'episode',
              entityId: id,
              domain,
              outcome: 'ok',
            });
          }
          return ids;
        });
        if (archived.length > 0) hooks.archived(archived);
        report.archived[domain] = archived.length;
      }
    }
    const { retentionDays } = context.config.audit;
    // The audit log spans every domain: only a caller without a scope prunes it.
    if (retentionDays !== null && scope === undefined) {
      // Buffered reads first: an entry still in memory would otherwise outlive its period.
      await audit.flush();
      report.auditPruned = await pruneAuditLog(db, audit, {
        before: cutoff(retentionDays),
        actor: options.actor ?? localActor,
      });
    }
    return report;
  };
}
