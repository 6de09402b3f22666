import { chmodSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import type { Database } from '../db/database.js';
import { folderAccessProblem } from '../db/file-access.js';
import { EpisodicError } from '../errors.js';
import { rebuildStaleFts } from './fts-tables.js';
import { ensureFolderOf, orDiskFull, removeDatabaseFile } from './swap-database-file.js';
import { type VerifyReport, verifyDatabase } from './verify-database.js';

/**
 * Writes a consistent snapshot of a local store to `destination` while it keeps serving
 * writes: `VACUUM INTO` reads one snapshot of the database and writes a compact copy. An
 * encrypted store gives a backup encrypted with the same key. The copy is then verified.
 */
export async function backupDatabase(
  db: Database,
  destination: string,
  options: { encryptionKey?: string | undefined } = {},
): Promise<VerifyReport> {
  if (db.location.kind !== 'file') {
    throw new EpisodicError(
      'CONFIG',
      'Backups are taken of a local file store; back up a libSQL server with its own tools.',
    );
  }
  const target = resolve(destination);
  if (existsSync(target))
    throw new EpisodicError('CONFLICT', `${target} exists; a backup never overwrites a file.`);
  ensureFolderOf(target);
  // SQLite would say only "unable to open database" of a folder it may not write.
  const unwritable = folderAccessProblem(dirname(target));
  if (unwritable !== null)
    throw new EpisodicError('VALIDATION', `Cannot write the backup ${target}: ${unwritable}.`);
  try {
    await db.read({ sql: 'VACUUM INTO ?', args: [target] });
    chmodSync(target, 0o600);
    // VACUUM may renumber rowids, which the external-content full-text tables follow. The
    // rebuild deletes index rows that hold episode text: zeroed, or they would stay in the copy's
    // free pages, and a copy restored without `episodic restore` (the stock sqlite3 CLI) would
    // keep them out of a later `forget`'s reach.
    const copy = createClient({ url: `file:${target}`, encryptionKey: options.encryptionKey });
    try {
      await copy.execute('PRAGMA secure_delete = ON');
      await rebuildStaleFts(copy);
    } finally {
      copy.close();
    }
  } catch (error) {
    // A copy cut short is no backup, and would refuse the next try (a backup never overwrites).
    removeDatabaseFile(target);
    throw orDiskFull(
      error,
      target,
      'no backup was written (what was written of it is removed); free space there (a backup takes about as much as the store holds), then back up again',
    );
  }
  return verifyDatabase(target, options);
}
