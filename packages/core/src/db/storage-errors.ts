import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { EpisodicError } from '../errors.js';

/** Below this much free space on its disk, a database that cannot open is said to be on a full disk. */
const nearlyFullBytes = 1024 * 1024;

/**
 * Why a database may not open, for the operator: libSQL says only "not a database" both for a
 * wrong or missing encryption key and for a damaged file, and only "disk I/O error" when it cannot
 * grow the file's shared-memory index on a full disk. `path`: the database file, when local.
 */
export function unreadable(url: string, error: unknown, path?: string): EpisodicError {
  const message = withCauses(error);
  let free: number | undefined;
  try {
    free = path === undefined ? undefined : freeBytesOn(dirname(path));
  } catch {
    // The folder cannot be read either: the driver's message says the rest.
  }
  const hint =
    free !== undefined && free < nearlyFullBytes
      ? ` The disk holding it has ${Math.floor(free / 1024)} KiB free: free space there, then open it again.`
      : /NOTADB|not a database|CORRUPT|malformed/i.test(message)
        ? ' The file is encrypted with another key (or none), or it is damaged: check the encryption key, ' +
          'or restore a backup with `episodic restore <file>`.'
        : '';
  return new EpisodicError('STORAGE', `Cannot open the database at ${url}: ${message}.${hint}`, {
    cause: error,
  });
}

/**
 * The error's message with what its causes add: fetch's "fetch failed" says nothing of why, which
 * its cause's cause does (`connect ECONNREFUSED 127.0.0.1:8080`, `getaddrinfo ENOTFOUND db.invalid`).
 */
export function withCauses(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reasons: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause instanceof Error && depth < 4; depth += 1, cause = cause.cause) {
    if (cause.message !== '' && !message.includes(cause.message) && !reasons.includes(cause.message))
      reasons.push(cause.message);
  }
  return reasons.length === 0 ? message : `${message} (${reasons.join(': ')})`;
}

/** Free bytes on the disk holding `folder`, as an unprivileged process may use them. */
export function freeBytesOn(folder: string): number {
  const disk = statfsSync(folder);
  return disk.bavail * disk.bsize;
}

/**
 * Whether the driver's error is one of the SQLite result codes `primary` (its extended codes
 * included: `SQLITE_CORRUPT_INDEX` is a `SQLITE_CORRUPT`). A read run on the read worker comes back
 * with its message only, so a message `pattern` counts too.
 */
function isSqliteError(error: unknown, message: string, primary: Record<string, number>, pattern: RegExp) {
  const { code, rawCode } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    rawCode?: unknown;
  };
  const names = Object.keys(primary);
  if (typeof code === 'string' && names.some((name) => code.startsWith(`SQLITE_${name}`))) return true;
  if (typeof rawCode === 'number' && Object.values(primary).includes(rawCode & 0xff)) return true;
  return pattern.test(message);
}

/** Whether the driver's error says the file or an index in it is damaged (not merely busy or full). */
export const isDamaged = (error: unknown, message: string) =>
  isSqliteError(error, message, { CORRUPT: 11, NOTADB: 26 }, /disk image is malformed|not a database/i);

export const isBusy = (error: unknown, message: string) =>
  isSqliteError(error, message, { BUSY: 5, LOCKED: 6 }, /database (table )?is locked/i);

const isFull = (error: unknown, message: string) =>
  isSqliteError(error, message, { FULL: 13 }, /database or disk is full/i);

/**
 * Our own refusals pass through; a write lock held past the busy timeout becomes `BUSY` and a
 * full disk `FULL` (the write rolled back: the caller may try again, and a server answers 503
 * with what happened, not an internal error); anything else libSQL throws becomes a `STORAGE`
 * error. All keep the driver's error as `cause`.
 */
export function asStorageError(error: unknown): EpisodicError {
  if (EpisodicError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isFull(error, message)) {
    return new EpisodicError(
      'FULL',
      'The disk holding the database is full (or the database reached its page limit): nothing was ' +
        'stored. Free space on it, then send this again.',
      { cause: error },
    );
  }
  if (isBusy(error, message)) {
    return new EpisodicError(
      'BUSY',
      `The database is busy: ${message}. Another connection held its write lock longer than the busy ` +
        'timeout (busyTimeoutMs); nothing was done, try again.',
      { cause: error },
    );
  }
  // The file opened, so the key is right: damage found later is in pages read only now.
  const hint = isDamaged(error, message)
    ? '. The database file is damaged: restore a backup with `episodic restore <file>` ' +
      '(`episodic verify` says what is wrong).'
    : '';
  return new EpisodicError('STORAGE', `Database operation failed: ${withCauses(error)}${hint}`, {
    cause: error,
  });
}

/**
 * Whether `error` says the disk had no room: SQLite's `SQLITE_FULL` (or this package's `FULL`),
 * or a write the system refused (`ENOSPC`, `EDQUOT`, LMDB's "No space left on device").
 */
export function isDiskFull(error: unknown): boolean {
  if (EpisodicError.isInstance(error)) return error.code === 'FULL';
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = String((error as Error | null)?.message);
  return (
    code === 'ENOSPC' ||
    code === 'EDQUOT' ||
    /no space left on device/i.test(message) ||
    isFull(error, message)
  );
}

/** Operations the guard lets run one after another with no turn of the event loop. */
export const letEventLoopRunEvery = 64;

/**
 * Wraps every database operation: errors become `STORAGE` errors, and after 64 operations with no
 * turn of the event loop between them, the next one first lets it turn. libSQL's native statements
 * and rows are freed by finalizers that run only when it turns; a caller awaiting us in a tight
 * loop never lets it, and memory grows without bound. Operations between which the loop turns
 * anyway (a server's requests, a retrieve that awaits its read worker) are never held back: a
 * turn taken for its own sake delays the operation behind whatever else is queued.
 */
export function createOperationGuard() {
  let sinceTurn = 0;
  let watching = false;
  const turned = () => {
    sinceTurn = 0;
    watching = false;
  };
  return async <T>(operation: () => Promise<T> | T): Promise<T> => {
    sinceTurn += 1;
    // One check per turn of the loop, whatever the number of operations in it.
    if (!watching) {
      watching = true;
      setImmediate(turned);
    }
    if (sinceTurn > letEventLoopRunEvery) await new Promise((resolve) => setImmediate(resolve));
    try {
      return await operation();
    } catch (error) {
      throw asStorageError(error);
    }
  };
}

/**
 * `error` as it was, unless the disk filled up part-way through work that commits in several
 * transactions: then a `FULL` error saying what was done and how to finish (`outcome`), where
 * the generic "nothing was stored … send this again" would hide what was.
 */
export function diskFullPartway(error: unknown, outcome: string): unknown {
  if (!isDiskFull(error)) return error;
  return new EpisodicError(
    'FULL',
    `The disk holding the database is full (or the database reached its page limit): ${outcome}`,
    { cause: error },
  );
}
