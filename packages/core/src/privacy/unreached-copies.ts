import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Database } from '../db/database.js';

/**
 * Copies of the store that `forget` cannot delete from, because they are whole databases kept on
 * purpose: files a `rekey` or `restore` kept beside the database (`--keep-old`), and the backups
 * this store wrote (their paths are in the audit log, as `export` entries) that still exist.
 * Listed so that a deletion request can be carried out in them too, or they can be deleted.
 */
export async function unreachedCopies(db: Database): Promise<string[]> {
  const path = db.location.kind === 'file' ? db.location.path : undefined;
  const copies = new Set<string>();
  if (path !== undefined) {
    const prefix = `${basename(path)}.before-`;
    for (const name of readdirSync(dirname(path))) {
      if (name.startsWith(prefix)) copies.add(join(dirname(path), name));
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
