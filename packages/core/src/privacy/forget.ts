import type { Transaction } from '@libsql/client';
import { z } from 'zod';
import { localActor } from '../audit/audit-event.js';
import { diskFullPartway } from '../db/storage-errors.js';
import type { EngineContext } from '../engine-context.js';
import type { UnmineReport } from '../mining/refold-evidence.js';
import { dropRemineShadow } from '../mining/remine.js';
import { forgetEpisodesTable } from '../mining/unmine.js';
import { recountUsage } from '../patterns/recount-usage.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import { type ForgetOrigin, startForgetJournal } from './forget-journal.js';
import { type ForgetSelector, forgetSelectorSchema, selectorFilter } from './forget-selector.js';
import type { FtsPurge } from './fts-purge.js';
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
  /**
   * `'pending'`: the episodes are gone from every API, but their text may still sit in the
   * full-text index segments, the WAL and the cache file's freed pages until the background purge
   * runs (`memory.admin.purge()` waits for it). `'done'`: it ran before forget returned
   * (`purge: 'wait'`), or nothing was removed.
   */
  purge: 'pending' | 'done';
}

export interface ForgetOptions extends CallOptions {
  /**
   * Episodes forgotten per transaction (default 50). Each transaction is whole: its episodes are
   * deleted, audited and taken out of the patterns together, and the event loop turns between two,
   * so a forget of a whole domain does not hold every other request until it ends. A failure
   * part-way leaves the transactions before it done: the same call again forgets the rest.
   */
  batchSize?: number;
  /**
   * `'background'` (default): return once the rows are deleted and the patterns recomputed, and
   * purge the text from the files soon after. `'wait'`: return only once it is purged.
   */
  purge?: 'background' | 'wait';
}

const batchSizeSchema = z.int().min(1).max(10_000).default(50);

export interface ForgetHooks {
  /**
   * Takes the episodes listed in `temp.forget_episodes` out of the mined patterns inside the
   * forget's transaction (`unmineEpisodes`); `null` when links written before schema 1.11.0 are
   * in the way, and `recomputePatterns` must re-mine the domains instead.
   */
  unmine: (tx: Transaction) => Promise<UnmineReport | null>;
  /** Rebuilds the mined patterns of these domains from the episodes that remain (`remine`). */
  recomputePatterns: ((domains: string[]) => Promise<void>) | undefined;
  /** Drops cached copies of what was removed (the purge then drops the pages that held them). */
  forgotten: (episodeIds: readonly string[]) => void;
  /** Takes deleted text out of the full-text segments, the cache's files and the WAL, after the forget commits. */
  purge: FtsPurge;
}

/**
 * Deletion on request (the seed's "GDPR compliance through deletion"). Removes the selected
 * episodes in transactions of `batchSize` (the foreign keys cascade to steps, embeddings, links
 * and usage), each of which also audits each deletion without its content, recomputes just the
 * patterns they supported, as a remine of what remains would (`unmineEpisodes`), and records a
 * pending purge.
 * The purge (`fts-purge.ts`) merges the full-text indexes and empties the WAL, so that with
 * `secure_delete` on, the deleted text is gone from the database file and its WAL: in the
 * background by default, before returning with `purge: 'wait'`.
 */
export function createForget(context: EngineContext, hooks: ForgetHooks) {
  const { db, audit } = context;
  const schema = forgetSelectorSchema(context.schemas);

  /**
   * One transaction: the episodes of `ids` that still exist deleted (the foreign keys cascade to
   * steps, embeddings, links and usage), each audited, the patterns they supported recomputed
   * (`unmine`) and those they gave usage feedback recounted (`recountUsage`), and a pending
   * purge recorded.
   */
  async function forgetBatch(ids: readonly string[], actor: string) {
    return db.write(async (tx) => {
      await tx.execute(
        `CREATE TEMP TABLE IF NOT EXISTS ${forgetEpisodesTable} (id TEXT PRIMARY KEY, domain TEXT)`,
      );
      await tx.execute(`DELETE FROM ${forgetEpisodesTable}`);
      await tx.execute({
        sql: `INSERT INTO ${forgetEpisodesTable} (id, domain)
          SELECT id, domain FROM episodes WHERE id IN (SELECT value FROM json_each(?))`,
        args: [JSON.stringify(ids)],
      });
      const rows = await tx.execute(`SELECT id, domain FROM ${forgetEpisodesTable}`);
      if (rows.rows.length === 0) {
        return { episodeIds: [], domains: [], patternsRemoved: 0, remine: false, purgeMark: 0 };
      }
      const domains = [...new Set(rows.rows.map((row) => String(row.domain)))];
      const unmined = await hooks.unmine(tx);
      // Links without contributions (schema < 1.11.0): the patterns they hold are recomputed by a remine.
      const affected = `SELECT DISTINCT pattern_id FROM episode_patterns
        WHERE episode_id IN (SELECT id FROM ${forgetEpisodesTable})`;
      if (unmined === null) {
        await tx.execute('CREATE TEMP TABLE IF NOT EXISTS forget_patterns (id TEXT PRIMARY KEY)');
        await tx.execute(`INSERT INTO forget_patterns ${affected}`);
      }
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
      // Their usage verdicts cascade with them; the counts and score on each pattern are recounted after.
      const used = await tx.execute(`SELECT DISTINCT pattern_id FROM pattern_usages
        WHERE episode_id IN (SELECT id FROM ${forgetEpisodesTable})`);
      await tx.execute(`DELETE FROM episodes WHERE id IN (SELECT id FROM ${forgetEpisodesTable})`);
      await dropRemineShadow(tx);
      for (const row of used.rows) await recountUsage(tx, String(row.pattern_id));
      const purgeMark = await hooks.purge.markPending(tx);
      await tx.execute(`DELETE FROM ${forgetEpisodesTable}`);
      let patternsRemoved = unmined?.removed ?? 0;
      if (unmined === null) {
        // A mined pattern whose every supporting episode is gone has no evidence left.
        const orphaned = await tx.execute(`DELETE FROM patterns WHERE support IS NOT NULL
          AND id IN (SELECT id FROM forget_patterns)
          AND NOT EXISTS (SELECT 1 FROM episode_patterns WHERE pattern_id = patterns.id)`);
        await tx.execute('DELETE FROM forget_patterns');
        patternsRemoved = orphaned.rowsAffected;
      }
      return {
        episodeIds: rows.rows.map((row) => String(row.id)),
        domains,
        patternsRemoved,
        remine: unmined === null,
        purgeMark,
      };
    });
  }

  /** The batches of `ids` one after the other, then the patterns' recompute and the purge. */
  async function forgetSelected(
    ids: readonly string[],
    { actor, batchSize, purge }: { actor: string; batchSize: number; purge: ForgetOptions['purge'] },
  ): Promise<ForgetReport> {
    const removed = { episodeIds: [] as string[], domains: new Set<string>(), patternsRemoved: 0 };
    const remineDomains = new Set<string>();
    /** The last batch's number in the count of forgets: its purge covers every batch before it. */
    let purgeMark = 0;
    let failed = true;
    try {
      for (let start = 0; start < ids.length; start += batchSize) {
        // Let the requests that came in meanwhile run between two transactions.
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        const batch = await forgetBatch(ids.slice(start, start + batchSize), actor);
        if (batch.episodeIds.length === 0) continue;
        removed.episodeIds.push(...batch.episodeIds);
        for (const domain of batch.domains) {
          removed.domains.add(domain);
          if (batch.remine) remineDomains.add(domain);
        }
        removed.patternsRemoved += batch.patternsRemoved;
        purgeMark = batch.purgeMark;
        hooks.forgotten(batch.episodeIds);
      }
      failed = false;
    } catch (error) {
      if (removed.episodeIds.length === 0) throw error;
      throw diskFullPartway(
        error,
        `${removed.episodeIds.length} of ${ids.length} episodes were forgotten (their text waits for the ` +
          'purge), the rest were not. Free space on it, then send this again: it forgets the rest and purges.',
      );
    } finally {
      // What the batches before a failure deleted is purged too.
      if (failed && removed.episodeIds.length > 0) hooks.purge.request();
    }
    const report = {
      episodeIds: removed.episodeIds,
      domains: [...removed.domains],
      patternsRemoved: removed.patternsRemoved,
      unreachedCopies: await unreachedCopies(db, context.config.logger),
    };
    if (removed.episodeIds.length === 0) return { ...report, purge: 'done' };
    if (remineDomains.size > 0) await hooks.recomputePatterns?.([...remineDomains]);
    if (purge === 'wait') {
      const settled = await hooks.purge.settleForget(purgeMark).catch((error: unknown) => {
        throw diskFullPartway(
          error,
          `all ${removed.episodeIds.length} episodes were forgotten, but their text is not yet purged from ` +
            'the database file and its WAL. Free space on it: the purge stays pending and runs at the next ' +
            'open of the store, or call admin.purge().',
        );
      });
      return { ...report, purge: settled };
    }
    hooks.purge.request();
    return { ...report, purge: 'pending' };
  }

  /** `origin` says, to the next open, who asked if this process is killed part-way. */
  return async function forget(
    input: ForgetSelector,
    options: ForgetOptions = {},
    origin: ForgetOrigin = 'forget',
  ): Promise<ForgetReport> {
    const selector = parseInput(schema, input, 'forget selector');
    const batchSize = parseInput(batchSizeSchema, options.batchSize, 'forget batchSize');
    const where = selectorFilter(selector, options.scope);
    const actor = options.actor ?? localActor;
    // The selection as it stands now, the last mined first (then those never mined): the episodes
    // mined after a batch's, which its recompute walks back through, are then never ones a later
    // batch deletes. Mining order, not dates: imported history is mined in the order it arrives.
    const selected = await db.read({
      sql: `SELECT id FROM episodes WHERE ${where.sql}
            ORDER BY (SELECT seq FROM mined_episodes WHERE episode_id = episodes.id) DESC NULLS FIRST,
              created_at DESC, id DESC`,
      args: where.args,
    });
    const ids = selected.rows.map((row) => String(row.id));
    const database = db.location.kind === 'file' ? db.location.path : undefined;
    // Until this call returns: a process killed part-way leaves it for the next open to report.
    const journal =
      database === undefined || ids.length === 0
        ? null
        : startForgetJournal(database, { actor, origin, episodeIds: ids }, context.config.logger);
    try {
      return await forgetSelected(ids, { actor, batchSize, purge: options.purge });
    } finally {
      journal?.done();
    }
  };
}
