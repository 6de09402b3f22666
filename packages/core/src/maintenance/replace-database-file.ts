import {
  chownSync,
  existsSync,
  linkSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { locateDatabase } from '../db/database-location.js';
import { processAlive } from '../db/process-alive.js';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { removeDatabaseFile, type SwappedFile, sidecars } from './swap-database-file.js';

export type ReplacingOperation = 'restore' | 'rekey';

/**
 * What a restore or rekey writes beside the database (`<path>.replacing`) while it replaces the
 * file, so that a process killed part-way is finished (or undone) by the next one that opens the
 * store, instead of that one creating an empty store where the file was moved away, or opening
 * the old file without its WAL.
 */
interface Journal {
  operation: ReplacingOperation;
  pid: number;
  startedAt: string;
  /** The file being built; once complete, moved to the database's path. */
  staging: string;
  keepOld: boolean;
  /** The cache folder, derived from the replaced file: removed with it. */
  cachePath: string | null;
  /** False while the staging file is being built; true from the moment the first file moves. */
  swapping: boolean;
  /** Where the replaced file (and its WAL and shared memory) goes; `null` when there was none. */
  previous: string | null;
}

export interface Replacement {
  /**
   * Moves the complete staging file into place: the replaced file goes with its WAL and shared
   * memory to `<path>.before-<operation>-<time>`, and is deleted once the new one is in place
   * (unless `keepOld`); the cache folder is removed.
   */
  swap(): SwappedFile;
  /** Gives up before the swap: the staging file goes, the database is as it was. */
  abandon(): void;
}

const journalFile = (path: string) => `${path}.replacing`;

/** Written whole under another name, then renamed over the journal: it is never half-written. */
function writeJournal(path: string, journal: Journal, exclusive: boolean): void {
  const temporary = `${journalFile(path)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(journal)}\n`, { mode: 0o600, flush: true });
  try {
    // A link fails when the journal exists (another restore or rekey started meanwhile); a rename replaces it.
    if (exclusive) linkSync(temporary, journalFile(path));
    else renameSync(temporary, journalFile(path));
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readJournal(path: string): Journal | null {
  let text: string;
  try {
    text = readFileSync(journalFile(path), 'utf8');
  } catch (error) {
    // No journal, or no folder for one (a path under a file: refused later with its own message).
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as Journal;
  } catch (error) {
    throw new EpisodicError(
      'STORAGE',
      `Cannot read ${journalFile(path)}, which a restore or rekey of ${path} wrote: ${(error as Error).message}. ` +
        'Check which file is the store (and its WAL), then delete it.',
      { cause: error },
    );
  }
}

/** The swap itself, from wherever a killed run stopped: each step is skipped once done. */
function finishSwap(path: string, journal: Journal): SwappedFile {
  const { previous, staging, keepOld } = journal;
  let owner: { uid: number; gid: number } | null = null;
  if (existsSync(staging)) {
    if (previous !== null) {
      const replaced = existsSync(path) ? path : existsSync(previous) ? previous : null;
      if (replaced !== null) owner = statSync(replaced);
      // The WAL and shared memory belong to the replaced file: left beside the new one, SQLite
      // would replay them into it.
      for (const suffix of sidecars) {
        if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${previous}${suffix}`);
      }
    }
    renameSync(staging, path);
  }
  // Run as root (an operator's `sudo episodic restore`) on the store of a service's user, the new
  // file would be root's, and that user could not open it: it keeps the replaced file's owner.
  if (owner !== null && process.getuid?.() === 0) chownSync(path, owner.uid, owner.gid);
  // The staging file's WAL (checkpointed empty) and shared memory stay under its name: nothing in them.
  removeDatabaseFile(staging);
  if (journal.cachePath !== null) rmSync(journal.cachePath, { recursive: true, force: true });
  const remove = previous !== null && !keepOld;
  if (remove) removeDatabaseFile(previous);
  rmSync(journalFile(path), { force: true });
  return { previous: remove ? null : previous, removedPrevious: remove };
}

/** The run a journal records, as the operator is told of it. */
const runOf = (path: string, journal: Journal) =>
  `a ${journal.operation} of ${path} (pid ${journal.pid}, started ${journal.startedAt})`;

/**
 * Finishes what a restore or rekey of `path` killed part-way left: before the swap began, its
 * staging copy (a whole copy of the store, plaintext for a decrypting rekey) is deleted and the
 * database is as it was; once the swap began, the swap is completed, so the store is the new one.
 * Returns what it did, for the operator, or `null` when nothing was left. Refused (`CONFLICT`)
 * while the process doing it still runs: opening the file then would write to one about to be
 * replaced.
 */
export function settleInterruptedReplacement(path: string): string | null {
  const journal = readJournal(path);
  if (journal === null) return null;
  const what = runOf(path, journal);
  if (processAlive(journal.pid)) {
    throw new EpisodicError(
      'CONFLICT',
      `Refusing to open ${path}: ${what} is replacing it. Wait until it ends.`,
    );
  }
  // Killed between writing the journal's next version and renaming it into place.
  rmSync(`${journalFile(path)}.${journal.pid}.tmp`, { force: true });
  if (!journal.swapping) {
    removeDatabaseFile(journal.staging);
    rmSync(journalFile(path), { force: true });
    return `Found ${what} that was stopped before it replaced anything: the store is as it was, and its partial copy ${journal.staging} was removed. Run it again.`;
  }
  const swapped = finishSwap(path, journal);
  const now =
    journal.operation === 'restore'
      ? 'is the restored database'
      : 'is the database under the key it moved to (it opens only with that key)';
  const kept =
    swapped.previous === null
      ? 'the replaced file was deleted'
      : `the replaced file is kept at ${swapped.previous}`;
  return `Found ${what} that was stopped while it swapped the files, and finished it: ${path} ${now}; ${kept}.`;
}

/**
 * What a restore or rekey of `path` left unfinished, in words, without settling it (for `verify`,
 * which changes nothing), or `null` when the file at `path` is the store: no journal, or a run
 * stopped before it replaced anything (the store is as it was; the next open removes its copy).
 */
export function pendingReplacement(path: string): string | null {
  const journal = readJournal(path);
  if (journal === null) return null;
  const what = runOf(path, journal);
  if (processAlive(journal.pid)) return `${what} is replacing it now; verify it again once that ends`;
  if (!journal.swapping) return null;
  return (
    `${what} was stopped while it swapped the files: the store is the ${journal.operation === 'restore' ? 'restored database' : 'rekeyed database'}, ` +
    'not what is at this path now; any command that opens the store (`episodic learning status`, a server) finishes the swap, then verify it again'
  );
}

/**
 * Settles what a killed restore or rekey left of the local database file `openMemory` is about to
 * open, and tells `logger`: without it, a file moved away mid-swap is created anew, empty.
 */
export function settleBeforeOpening(config: {
  url: string;
  syncUrl?: string | undefined;
  logger: Logger;
}): void {
  // Any other url is refused by the database itself, with its own message.
  if (!config.url.startsWith('file:')) return;
  const location = locateDatabase(config.url, config.syncUrl);
  if (location.kind !== 'file' || location.path === undefined) return;
  const settled = settleInterruptedReplacement(location.path);
  if (settled !== null) config.logger.warn(settled);
}

/**
 * Starts replacing the database at `path` (no process may have it open: the caller checks) with
 * a file to be built at `staging`. Until `swap` or `abandon`, `openMemory` of `path` in any
 * process is refused, and a run killed meanwhile is settled by the next one that opens the store
 * (`settleInterruptedReplacement`).
 */
export function beginReplacement(
  path: string,
  options: {
    operation: ReplacingOperation;
    staging: string;
    keepOld: boolean;
    cachePath: string | undefined;
  },
): Replacement {
  const journal: Journal = {
    operation: options.operation,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    staging: options.staging,
    keepOld: options.keepOld,
    cachePath: options.cachePath ?? null,
    swapping: false,
    previous: null,
  };
  try {
    writeJournal(path, journal, true);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new EpisodicError(
      'CONFLICT',
      `Refusing to ${options.operation} ${path}: another restore or rekey of it started meanwhile (${journalFile(path)}).`,
    );
  }
  // A staging file (and WAL) an earlier version's killed run left: SQLite would replay that WAL's
  // pages into the new copy.
  removeDatabaseFile(options.staging);
  return {
    swap() {
      const time = new Date().toISOString().replace(/[:.]/g, '-');
      const swapping = {
        ...journal,
        swapping: true,
        previous: existsSync(path) ? `${path}.before-${options.operation}-${time}` : null,
      };
      // Recorded before the first file moves: from here on, a killed run is finished, not undone.
      writeJournal(path, swapping, false);
      return finishSwap(path, swapping);
    },
    abandon() {
      removeDatabaseFile(options.staging);
      rmSync(journalFile(path), { force: true });
    },
  };
}
