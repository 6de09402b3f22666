import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertDatabaseUnused } from '../db/presence.js';
import { EpisodicError } from '../errors.js';
import { consoleLogger, type Logger } from '../logger.js';
import type { MigrationReport } from '../migrations/migrate.js';
import { type CarriedLog, carryBackupLog } from './carry-backup-log.js';
import { beginReplacement, settleInterruptedReplacement } from './replace-database-file.js';
import { ensureFolderOf, orDiskFull, type SwappedFile } from './swap-database-file.js';
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
  /** Told what an earlier restore or rekey of `path`, killed part-way, left and how it was settled. */
  logger?: Logger | undefined;
}

export interface RestoreReport extends VerifyReport, SwappedFile {
  /**
   * How the restored file was brought to this version's schema: `schemaVersion` above is the
   * backup's, `migration.to` the restored database's.
   */
  migration: MigrationReport;
  /**
   * Episodes that were forgotten in the replaced database (after this backup was taken) and that
   * the backup brings back: forget them again if the deletion must stand. The deletions stay in
   * the restored audit log.
   */
  reappeared: string[];
  /**
   * When the backup is from a schema before 1.23.0 and holds mined patterns: that they hold what
   * an older version's miners learned, and that a remine rebuilds them (`null` otherwise).
   */
  olderMining: string | null;
}

/**
 * Replaces a store's database with a verified backup. The backup is checked first and refused
 * if it has any problem. The current file (with its WAL) is deleted once the backup is in place,
 * so that what was forgotten since the backup does not survive in it, unless `keepOld` asks to keep it.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreReport> {
  const path = resolve(options.path);
  const advice = 'Stop them (servers, workers, scripts) before restoring.';
  const settled = settleInterruptedReplacement(path);
  if (settled !== null) (options.logger ?? consoleLogger).warn(settled);
  assertDatabaseUnused(path, `restore ${options.from}`, advice);
  const from = resolve(options.from);
  const report = await verifyDatabase(from, { encryptionKey: options.encryptionKey });
  if (!report.ok) {
    throw new EpisodicError(
      'CONFLICT',
      `Refusing to restore ${options.from}: ${report.problems.join('; ')}.`,
    );
  }
  ensureFolderOf(path);
  // From here on a process that opens the store is refused until the swap is done; one killed
  // here is finished or undone by the next process that opens the store.
  const staging = `${path}.restoring`;
  const replacement = beginReplacement(path, {
    operation: 'restore',
    staging,
    keepOld: options.keepOld === true,
    cachePath: options.cachePath,
  });
  let carried: CarriedLog;
  try {
    // A store file libSQL closed keeps its last commits in its WAL, which verifying read: they
    // come along, and are checkpointed into the copy when its backup log is carried.
    for (const suffix of existsSync(`${from}-wal`) ? ['', '-wal'] : ['']) {
      copyFileSync(`${from}${suffix}`, `${staging}${suffix}`);
      chmodSync(`${staging}${suffix}`, 0o600);
    }
    carried = await carryBackupLog(path, staging, options.encryptionKey);
    // A process that opened the store after the check above, before the journal was there, would
    // go on writing to the file about to be replaced.
    assertDatabaseUnused(path, `restore ${options.from}`, advice);
  } catch (error) {
    replacement.abandon();
    throw orDiskFull(
      error,
      path,
      "nothing was restored, the store is as it was; free space there (a restore needs about the backup's size), then restore again",
    );
  }
  return { ...report, ...replacement.swap(), ...carried };
}
