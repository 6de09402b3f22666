import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from '../db/database.js';
import { ensureParentDirectory } from '../db/database-location.js';
import { isDiskFull } from '../db/storage-errors.js';
import { EpisodicError } from '../errors.js';

/** What became of the file a swap replaced. */
export interface SwappedFile {
  /** Where the replaced file is kept, or `null` when it was removed or there was none. */
  previous: string | null;
  /** Whether a replaced file existed and was deleted (the default: nothing deleted survives). */
  removedPrevious: boolean;
}

/**
 * A database file's companions, then the file itself (`''`). `-journal`: the rollback journal of a
 * file written outside WAL mode (a backup `VACUUM INTO` writes).
 */
export const sidecars = ['-wal', '-shm', '-journal', ''];

/** How a maintenance step opens a file it builds or reads whole: no other writer, every commit synced. */
export const maintenanceDatabaseOptions = { busyTimeoutMs: 5000, synchronous: 'full' as const };

/**
 * Moves everything a staging file's WAL holds into the main file: only that file is moved into
 * place by the swap (`beginReplacement`), not its WAL. `failure` is the message when a reader keeps it from that.
 */
export async function checkpointIntoMainFile(db: Database, failure: string): Promise<void> {
  const checkpoint = (await db.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)')).rows[0];
  if (Number(checkpoint?.busy) !== 0) throw new EpisodicError('STORAGE', failure);
}

/** Deletes a database file with its WAL, shared-memory and journal files, those that exist. */
export function removeDatabaseFile(path: string): void {
  for (const suffix of sidecars) rmSync(`${path}${suffix}`, { force: true });
}

/**
 * Creates the folder a maintenance step writes `path` into. A path it cannot make (a file where a
 * folder should be, no permission) is the caller's to change: refused as a VALIDATION error that
 * names it, where Node's own error (`EEXIST … mkdir`) carries no code a caller can switch on.
 */
export function ensureFolderOf(path: string): void {
  try {
    ensureParentDirectory(path);
  } catch (error) {
    let blocker = dirname(path);
    while (!existsSync(blocker) && dirname(blocker) !== blocker) blocker = dirname(blocker);
    const reason = statSync(blocker).isDirectory() ? (error as Error).message : `${blocker} is a file`;
    throw new EpisodicError('VALIDATION', `Cannot create the folder of ${path}: ${reason}.`, {
      cause: error,
    });
  }
}

/**
 * `error` as it was, unless it says the disk is full (SQLite's `SQLITE_FULL`, Node's `ENOSPC`):
 * then a `FULL` error naming the file a maintenance step was writing and what became of the step
 * (`outcome`), where the store's own "nothing was stored … send this again" would mislead. A
 * file that could not even be opened for want of room is a `STORAGE` error of `openDatabase`
 * ("Cannot open the database at …") whose cause says so: the disk is as full there.
 */
export function orDiskFull(error: unknown, path: string, outcome: string): unknown {
  const openRefused = EpisodicError.isInstance(error) && error.code === 'STORAGE' && isDiskFull(error.cause);
  if (!isDiskFull(error) && !openRefused) return error;
  return new EpisodicError('FULL', `The disk holding ${path} is full: ${outcome}.`, { cause: error });
}
