import { chmodSync, linkSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import type { Database } from '../db/database.js';
import { folderAccessProblem } from '../db/file-access.js';
import { EpisodicError } from '../errors.js';
import { consoleLogger, type Logger } from '../logger.js';
import { removeInterruptedBackups, stageBackup } from './backup-staging.js';
import { rebuildStaleFts } from './fts-tables.js';
import { ensureFolderOf, orDiskFull, removeDatabaseFile } from './swap-database-file.js';
import { type VerifyReport, verifyDatabase } from './verify-database.js';

/** What is at `path`, if anything; a path under a file (`ENOTDIR`) is left to `ensureFolderOf` to name. */
function existingEntry(path: string) {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

export interface BackupOptions {
  encryptionKey?: string | undefined;
  /** Told of the partial copies of killed backups that were removed. */
  logger?: Logger | undefined;
  /**
   * Runs once the copy is whole and verified, before it gets its name: the audit entry that lets
   * `forget` name the backup exists before the file does.
   */
  beforePublish?: (() => Promise<void>) | undefined;
}

/**
 * Writes a consistent snapshot of a local store to `destination` while it keeps serving
 * writes: `VACUUM INTO` reads one snapshot of the database and writes a compact copy. An
 * encrypted store gives a backup encrypted with the same key. The copy is written under a staging
 * name (see `stageBackup`), verified, and only then linked to `destination`.
 */
export async function backupDatabase(
  db: Database,
  destination: string,
  options: BackupOptions = {},
): Promise<VerifyReport> {
  const database = db.location.kind === 'file' ? db.location.path : undefined;
  if (database === undefined) {
    throw new EpisodicError(
      'CONFIG',
      'Backups are taken of a local file store; back up a libSQL server with its own tools.',
    );
  }
  const target = resolve(destination);
  const existing = existingEntry(target);
  if (existing !== undefined)
    throw new EpisodicError(
      'CONFLICT',
      `${target} exists${existing.isDirectory() ? ' (a folder: name the backup file in it)' : ''}; a backup never overwrites a file.`,
    );
  ensureFolderOf(target);
  // SQLite would say only "unable to open database" of a folder it may not write.
  const unwritable = folderAccessProblem(dirname(target));
  if (unwritable !== null)
    throw new EpisodicError('VALIDATION', `Cannot write the backup ${target}: ${unwritable}.`);
  removeInterruptedBackups(database, options.logger ?? consoleLogger);
  const { staging, done } = stageBackup(database, target);
  try {
    await db.read({ sql: 'VACUUM INTO ?', args: [staging] });
    chmodSync(staging, 0o600);
    // VACUUM may renumber rowids, which the external-content full-text tables follow. The
    // rebuild deletes index rows that hold episode text: zeroed, or they would stay in the copy's
    // free pages, and a copy restored without `episodic restore` (the stock sqlite3 CLI) would
    // keep them out of a later `forget`'s reach.
    const copy = createClient({ url: `file:${staging}`, encryptionKey: options.encryptionKey });
    try {
      await copy.execute('PRAGMA secure_delete = ON');
      await rebuildStaleFts(copy);
    } finally {
      copy.close();
    }
    const report = await verifyDatabase(staging, { encryptionKey: options.encryptionKey });
    await options.beforePublish?.();
    try {
      // A link, not a rename: it refuses a file that appeared there meanwhile.
      linkSync(staging, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new EpisodicError(
        'CONFLICT',
        `${target} appeared while the backup was written; it was left as it is.`,
      );
    }
    return report;
  } catch (error) {
    throw orDiskFull(
      error,
      target,
      'no backup was written (what was written of it is removed); free space there (a backup takes about as much as the store holds), then back up again',
    );
  } finally {
    // A copy cut short is no backup; a finished one keeps its name at `target` only.
    removeDatabaseFile(staging);
    done();
  }
}
