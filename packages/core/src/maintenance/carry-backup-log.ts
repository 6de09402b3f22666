import { existsSync } from 'node:fs';
import type { Row } from '@libsql/client';
import { openDatabase } from '../db/database.js';
import { type MigrationReport, migrate } from '../migrations/migrate.js';
import { olderMiningNotice } from '../mining/older-mining.js';
import { checkpointIntoMainFile, maintenanceDatabaseOptions } from './swap-database-file.js';

const base = maintenanceDatabaseOptions;
/** The backups a store wrote, and the episodes it forgot: what a restore must not lose track of. */
const carriedRows = `SELECT at, actor, operation, entity_type, entity_id, domain, outcome FROM audit_log
  WHERE entity_id IS NOT NULL AND ((operation = 'export' AND entity_type = 'database')
    OR (operation = 'delete' AND entity_type = 'episode' AND outcome = 'ok'))`;

export interface CarriedLog {
  migration: MigrationReport;
  /** Episodes the replaced database's log records as forgotten that the restored one holds. */
  reappeared: string[];
  /** When the backup's mined patterns are of an older version's miners: that, and how to rebuild them. */
  olderMining: string | null;
}

/**
 * Copies the backups the replaced database knows it wrote (its audit log's `export` rows), and
 * the episodes it forgot (`delete` rows), into the one restored in its place, before the swap.
 * `forget` lists the backups it cannot reach from those rows (`unreachedCopies`); a restored log
 * was copied before they were written, so without this every backup made before a restore, the
 * restored one included, dropped out of that list while it still held what a later forget
 * deletes. A backup taken before a forget holds the episodes it deleted: they come back with it,
 * and are returned so that the operator hears it (the replaced log, the only record of the
 * deletion, would otherwise go with the replaced file). The restored file is brought to this
 * version's schema first (opening it would do the same). It is then rewritten without free pages.
 * Its claims to run learners are dropped: no process runs the restored store.
 */
export async function carryBackupLog(
  replaced: string,
  restored: string,
  encryptionKey?: string,
): Promise<CarriedLog> {
  const { carried, feedHigh } = await readReplaced(replaced, encryptionKey);
  const target = await openDatabase({ ...base, url: `file:${restored}`, encryptionKey });
  try {
    const migration = await migrate(target);
    const olderMining = await olderMiningNotice(target, migration);
    const forgotten = new Set<string>();
    const reappeared = await target.write(async (tx) => {
      await tx.execute('DELETE FROM learner_processes');
      // Another cache folder (a second server's data dir) followed the replaced file's feed up to
      // some position at most its high; the restored file's rows reuse those numbers for other
      // changes, so such a cache skipped them and served what the restore took back (for up to
      // its TTLs). The feed starts again past both highs with a gap, which every cache that
      // applied a position of either file reads as rows pruned: it drops everything.
      const restoredHigh = Number(
        (await tx.execute('SELECT MAX(seq) AS high FROM change_feed')).rows[0]?.high ?? 0,
      );
      await tx.execute('DELETE FROM change_feed');
      await tx.execute({
        sql: "INSERT INTO change_feed (seq, key) VALUES (?, 'restore')",
        args: [Math.max(feedHigh ?? restoredHigh + unknownFeedJump, restoredHigh) + 2],
      });
      // The restored log's own rows: an export is recorded once per file, a deletion once per time.
      const entry = (row: Row) =>
        row.operation === 'export' ? `export ${row.entity_id}` : `delete ${row.entity_id} ${row.at}`;
      const known = new Set((await tx.execute(carriedRows)).rows.map(entry));
      for (const row of carried) {
        if (row.operation === 'delete') forgotten.add(String(row.entity_id));
        if (known.has(entry(row))) continue;
        known.add(entry(row));
        await tx.execute({
          sql: `INSERT INTO audit_log (at, actor, operation, entity_type, entity_id, domain, outcome)
            VALUES (?, ?, ?, ?, ?, ?, ?)`,
          args: [
            row.at ?? null,
            row.actor ?? null,
            row.operation ?? null,
            row.entity_type ?? null,
            row.entity_id ?? null,
            row.domain ?? null,
            row.outcome ?? null,
          ],
        });
      }
      const back = await tx.execute({
        sql: 'SELECT id FROM episodes WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id',
        args: [JSON.stringify([...forgotten])],
      });
      return back.rows.map((row) => String(row.id));
    });
    // Rewritten whole: a backup's free pages may hold deleted text (one taken by an earlier
    // version, or by another tool), which no later `forget` of the restored store would reach.
    await target.executeOutsideTransaction('VACUUM');
    await checkpointIntoMainFile(
      target,
      'Restore could not checkpoint the restored file; nothing was changed.',
    );
    return { migration, reappeared, olderMining };
  } finally {
    await target.close();
  }
}

/**
 * Past any position a cache could hold when the replaced file's feed cannot be read (none there,
 * damaged): no store writes four billion changes.
 */
const unknownFeedJump = 2 ** 32;

/**
 * What the replaced file holds that the restore keeps track of: its backups and forgets to carry,
 * and the highest position of its change feed (null when it cannot be read).
 */
async function readReplaced(
  path: string,
  encryptionKey: string | undefined,
): Promise<{ carried: Row[]; feedHigh: number | null }> {
  if (!existsSync(path)) return { carried: [], feedHigh: null };
  let source: Awaited<ReturnType<typeof openDatabase>>;
  try {
    source = await openDatabase({ ...base, url: `file:${path}`, encryptionKey });
  } catch {
    return { carried: [], feedHigh: null };
  }
  try {
    // A database too old to log (no `audit_log`) or unreadable (damaged: why it is being
    // replaced) has no rows to carry; the restore goes on.
    const carried = await source.read(carriedRows).then(
      (result) => result.rows,
      () => [],
    );
    const feedHigh = await source.read('SELECT MAX(seq) AS high FROM change_feed').then(
      (result) => Number(result.rows[0]?.high ?? 0),
      () => null,
    );
    return { carried, feedHigh };
  } finally {
    await source.close();
  }
}
