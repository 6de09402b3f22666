import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { removeInterruptedBackups } from '../maintenance/backup-staging.js';

/** A kept file's WAL, shared memory or journal, named with it rather than as a copy of its own. */
const sidecar = /-(wal|shm|journal)$/;

/**
 * Copies of the store that `forget` cannot delete from, because they are whole databases kept on
 * purpose: files a `rekey` or `restore` kept beside the database (`--keep-old`), and the backups
 * this store wrote (their paths are in the audit log, as `export` entries) that still exist.
 * Listed so that a deletion request can be carried out in them too, or they can be deleted.
 * The partial copies of backups that were killed before they finished are no copies anyone
 * keeps: they are deleted here (and `logger` told), not listed.
 */
export async function unreachedCopies(db: Database, logger: Logger): Promise<string[]> {
  const path = db.location.kind === 'file' ? db.location.path : undefined;
  const copies = new Set<string>();
  if (path !== undefined) {
    removeInterruptedBackups(path, logger);
    const prefix = `${basename(path)}.before-`;
    const names = readdirSync(dirname(path));
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      if (sidecar.test(name) && names.includes(name.replace(sidecar, ''))) continue;
      copies.add(join(dirname(path), name));
    }
  }
  const backups = await db.read(`SELECT DISTINCT entity_id FROM audit_log
    WHERE operation = 'export' AND entity_type = 'database' AND outcome = 'ok' AND entity_id IS NOT NULL`);
  for (const row of backups.rows) {
    const file = String(row.entity_id);
    if (existsSync(file)) copies.add(file);
  }
  return [...copies].sort();
}
