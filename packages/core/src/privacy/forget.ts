import { localActor } from '../audit/audit-event.js';
import type { EngineContext } from '../engine-context.js';
import { ftsTables } from '../maintenance/fts-tables.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import { type ForgetSelector, forgetSelectorSchema, selectorFilter } from './forget-selector.js';
import { unreachedCopies } from './unreached-copies.js';

export interface ForgetReport {
  /** Episodes removed, with their steps, embeddings, pattern links and full-text entries. */
  episodeIds: string[];
  /** Domains they were in: their patterns were recomputed. */
  domains: string[];
  /** Mined patterns left with no supporting episode, and so removed. */
  patternsRemoved: number;
  /**
   * Whole copies of the store that may still hold what was removed and that forget does not touch:
   * files kept by `rekey`/`restore` with `keepOld`, and backups this store wrote that still exist.
   */
  unreachedCopies: string[];
}

export interface ForgetHooks {
  /** Rebuilds the mined patterns of these domains from the episodes that remain (`remine`). */
  recomputePatterns: ((domains: string[]) => Promise<void>) | undefined;
  /** Drops cached copies of what was removed. */
  forgotten: (episodeIds: readonly string[]) => void;
}

/**
 * Deletion on request (the seed's "GDPR compliance through deletion"). Removes the selected
 * episodes in one transaction (the foreign keys cascade to steps, embeddings, links and usage),
 * audits each deletion without its content, then recomputes the patterns of the domains
 * concerned. Afterwards the full-text indexes (the whole-episode one too) are merged and the WAL
 * checkpointed, so that with `secure_delete` on, the deleted text is gone from the database file
 * and its WAL.
 */
export function createForget(context: EngineContext, hooks: ForgetHooks) {
  const { db, audit } = context;
  const schema = forgetSelectorSchema(context.schemas);

  return async function forget(input: ForgetSelector, options: CallOptions = {}): Promise<ForgetReport> {
    const selector = parseInput(schema, input, 'forget selector');
    const where = selectorFilter(selector, options.scope);
    const actor = options.actor ?? localActor;
    const removed: Omit<ForgetReport, 'unreachedCopies'> = await db.write(async (tx) => {
      const rows = await tx.execute({
        sql: `SELECT id, domain FROM episodes WHERE ${where.sql}`,
        args: where.args,
      });
      if (rows.rows.length === 0) return { episodeIds: [], domains: [], patternsRemoved: 0 };
      const affected = `SELECT DISTINCT pattern_id FROM episode_patterns
        WHERE episode_id IN (SELECT id FROM episodes WHERE ${where.sql})`;
      await tx.execute({
        sql: `CREATE TEMP TABLE IF NOT EXISTS forget_patterns (id TEXT PRIMARY KEY)`,
        args: [],
      });
      await tx.execute('DELETE FROM forget_patterns');
      await tx.execute({ sql: `INSERT INTO forget_patterns ${affected}`, args: where.args });
      for (const row of rows.rows) {
        await audit.inTransaction(tx, {
          actor,
          operation: 'delete',
          entityType: 'episode',
          entityId: String(row.id),
          domain: String(row.domain),
          outcome: 'ok',
        });
      }
      await tx.execute({ sql: `DELETE FROM episodes WHERE ${where.sql}`, args: where.args });
      // A mined pattern whose every supporting episode is gone has no evidence left.
      const orphaned = await tx.execute(`DELETE FROM patterns WHERE support IS NOT NULL
        AND id IN (SELECT id FROM forget_patterns)
        AND NOT EXISTS (SELECT 1 FROM episode_patterns WHERE pattern_id = patterns.id)`);
      await tx.execute('DELETE FROM forget_patterns');
      return {
        episodeIds: rows.rows.map((row) => String(row.id)),
        domains: [...new Set(rows.rows.map((row) => String(row.domain)))],
        patternsRemoved: orphaned.rowsAffected,
      };
    });
    const unreached = await unreachedCopies(db);
    if (removed.episodeIds.length === 0) return { ...removed, unreachedCopies: unreached };
    hooks.forgotten(removed.episodeIds);
    await hooks.recomputePatterns?.(removed.domains);
    // Deleted rows leave tombstones in the full-text segments until they are merged.
    await db.write(async (tx) => {
      for (const table of [...ftsTables, 'episode_docs_fts'])
        await tx.execute(`INSERT INTO ${table} (${table}) VALUES ('optimize')`);
    });
    if (db.location.kind === 'file') await db.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)');
    return { ...removed, unreachedCopies: unreached };
  };
}
