import { existsSync } from 'node:fs';
import { openDatabase } from '../db/database.js';
import { type MigrationReport, migrate } from '../migrations/migrate.js';
import { checkpointIntoMainFile, maintenanceDatabaseOptions } from './swap-database-file.js';

const base = maintenanceDatabaseOptions;
const exportRows = `SELECT at, actor, entity_id, domain, outcome FROM audit_log
  WHERE operation = 'export' AND entity_type = 'database' AND entity_id IS NOT NULL`;

/**
 * Copies the backups the replaced database knows it wrote (its audit log's `export` rows) into
 * the one restored in its place, before the swap. `forget` lists the backups it cannot reach from
 * those rows (`unreachedCopies`); a restored log was copied before they were written, so without
 * this every backup made before a restore, the restored one included, dropped out of that list
 * while it still held what a later forget deletes. The restored file is brought to this
 * version's schema first (opening it would do the same); how is returned. It is then rewritten
 * without free pages.
 * Its claims to run learners are dropped: no process runs the restored store.
 */
export async function carryBackupLog(
  replaced: string,
  restored: string,
  encryptionKey?: string,
): Promise<MigrationReport> {
  const carried = existsSync(replaced) ? await readExportRows(replaced, encryptionKey) : [];
  const target = await openDatabase({ ...base, url: `file:${restored}`, encryptionKey });
  try {
    const migration = await migrate(target);
    await target.write(async (tx) => {
      await tx.execute('DELETE FROM learner_processes');
      const known = new Set((await tx.execute(exportRows)).rows.map((row) => String(row.entity_id)));
      for (const row of carried) {
        if (known.has(String(row.entity_id))) continue;
        known.add(String(row.entity_id));
        await tx.execute({
          sql: `INSERT INTO audit_log (at, actor, operation, entity_type, entity_id, domain, outcome)
            VALUES (?, ?, 'export', 'database', ?, ?, ?)`,
          args: [
            row.at ?? null,
            row.actor ?? null,
            row.entity_id ?? null,
            row.domain ?? null,
            row.outcome ?? null,
          ],
        });
      }
    });
    // Rewritten whole: a backup's free pages may hold deleted text (one taken by an earlier
    // version, or by another tool), which no later `forget` of the restored store would reach.
    await target.executeOutsideTransaction('VACUUM');
    await checkpointIntoMainFile(
      target,
      'Restore could not checkpoint the restored file; nothing was changed.',
    );
    return migration;
  } finally {
    await target.close();
  }
}

async function readExportRows(path: string, encryptionKey: string | undefined) {
  try {
    const source = await openDatabase({ ...base, url: `file:${path}`, encryptionKey });
    try {
      return (await source.read(exportRows)).rows;
    } finally {
      await source.close();
    }
  } catch {
    // A database too old to log (no `audit_log`) or unreadable (damaged: why it is being
    // replaced) has no rows to carry; the restore goes on.
    return [];
  }
}
