import { chmodSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertDatabaseUnused } from '../db/presence.js';
import { EpisodicError } from '../errors.js';
import type { MigrationReport } from '../migrations/migrate.js';
import { carryBackupLog } from './carry-backup-log.js';
import {
  ensureFolderOf,
  orDiskFull,
  removeDatabaseFile,
  type SwappedFile,
  swapDatabaseFile,
} from './swap-database-file.js';
import { type VerifyReport, verifyDatabase } from './verify-database.js';

export interface RestoreOptions {
  /** The store's database file, which must not be open in any process (refused while one has it open through `openMemory`). */
  path: string;
  /** The backup to restore. */
  from: string;
  encryptionKey?: string | undefined;
  /** The store's cache folder: it is derived from the old database, so it is removed and rebuilt. */
  cachePath?: string | undefined;
  /** Keep the replaced database beside the new one; by default it is deleted once the backup is in place. */
  keepOld?: boolean | undefined;
}

export interface RestoreReport extends VerifyReport, SwappedFile {
  /**
   * How the restored file was brought to this version's schema: `schemaVersion` above is the
   * backup's, `migration.to` the restored database's.
   */
  migration: MigrationReport;
}

/**
 * Replaces a store's database with a verified backup. The backup is checked first and refused
 * if it has any problem. The current file (with its WAL) is deleted once the backup is in place,
 * so that what was forgotten since the backup does not survive in it, unless `keepOld` asks to keep it.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreReport> {
  const path = resolve(options.path);
  assertDatabaseUnused(
    path,
    `restore ${options.from}`,
    'Stop them (servers, workers, scripts) before restoring.',
  );
  const from = resolve(options.from);
  const report = await verifyDatabase(from, { encryptionKey: options.encryptionKey });
  if (!report.ok) {
    throw new EpisodicError(
      'CONFLICT',
      `Refusing to restore ${options.from}: ${report.problems.join('; ')}.`,
    );
  }
  ensureFolderOf(path);
  const staging = `${path}.restoring`;
  // A run killed mid-restore leaves its staging copy's WAL: opened beside the new copy, SQLite
  // would replay those pages (another backup's) into it, and the store would hold neither.
  removeDatabaseFile(staging);
  let migration: MigrationReport;
  try {
    // A store file libSQL closed keeps its last commits in its WAL, which verifying read: they
    // come along, and are checkpointed into the copy when its backup log is carried.
    for (const suffix of existsSync(`${from}-wal`) ? ['', '-wal'] : ['']) {
      copyFileSync(`${from}${suffix}`, `${staging}${suffix}`);
      chmodSync(`${staging}${suffix}`, 0o600);
    }
    migration = await carryBackupLog(path, staging, options.encryptionKey);
  } catch (error) {
    removeDatabaseFile(staging);
    throw orDiskFull(
      error,
      path,
      "nothing was restored, the store is as it was; free space there (a restore needs about the backup's size), then restore again",
    );
  }
  const swapped = swapDatabaseFile(path, staging, 'before-restore', options.keepOld);
  // The staging file's WAL (checkpointed empty) and shared memory stay under its name; nothing in them.
  removeDatabaseFile(staging);
  if (options.cachePath !== undefined) rmSync(options.cachePath, { recursive: true, force: true });
  return { ...report, ...swapped, migration };
}
