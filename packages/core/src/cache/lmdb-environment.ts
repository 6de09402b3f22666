import { isDiskFull } from '../db/storage-errors.js';
import type { Logger } from '../logger.js';
import { removeSetAside } from './cache-folder.js';
import { retireEverything } from './cache-maintenance.js';
import { dataFileInode, type LmdbHandle, releaseHandle } from './lmdb-handle.js';
import { type LostCommits, lostCommits } from './lost-commits.js';
import { assertMapRoom } from './map-room.js';
import { removeFolder } from './remove-folder.js';

export interface LmdbEnvironmentOptions {
  /** Opens the environment: at start, and again if its folder is replaced while we run. Throws when it cannot. */
  openEnv(): LmdbHandle;
  /** Remove the environment when the last store using it closes (it belongs to an in-memory database). */
  ephemeral: boolean;
  /** The cache's map size: through a write map, a write that finds the disk without room for it kills the process. */
  mapSizeBytes: number;
  logger: Logger;
  /** Runs every `tickMs` with the environment (reopened first if its folder was replaced), while there is one. */
  onTick(active: LmdbHandle): void;
  tickMs: number;
}

/**
 * The LMDB environment one cache uses, and what happens when it goes wrong: reopened when its
 * folder is replaced (another process purged or failed it), left for good when an invalidation
 * could not be kept (its entries may be stale for every process, so the folder is removed), and
 * left until the disk has room when there is none.
 */
export interface LmdbEnvironment {
  /** The environment as it is, without checks: for reads and fills that may simply miss. */
  readonly handle: LmdbHandle | null;
  /** Why there is no environment (null while there is one, or when it was closed). */
  readonly failure: string | null;
  /** The commits this process made and checks it can still see (`lost-commits.ts`). */
  readonly lost: LostCommits;
  /**
   * The environment, reopened first if its folder was deleted or set aside since we opened it
   * (the other processes now use the new one, and our invalidations must reach them there), or
   * when the disk has room again; null while running without one.
   */
  current(): LmdbHandle | null;
  /** Throws when `active` must not be written now: through its map, a full disk kills the process. */
  assertRoom(active: LmdbHandle): void;
  /**
   * Whether `error`, thrown while using `active`, came from its folder being renamed away or
   * replaced meanwhile by another process sharing the cache (its purge, or a failure): nothing
   * is wrong with the cache then, and the next `current()` opens the new environment.
   */
  replacedUnder(active: LmdbHandle, error: unknown): boolean;
  /** A commit that fails, or that reads back missing or on an undone state, fails the cache. */
  commitInvalidation(what: string, write: (db: LmdbHandle['db']) => void): void;
  /** Fails the cache because a commit it made was undone. */
  failUndone(): void;
  /** Logs `what` once per cache. */
  warnOnce(what: string, error: unknown): void;
  /** Replaces `active` with an empty environment at the same path; false when that failed (the cache then failed). */
  rebuild(active: LmdbHandle): boolean;
  close(): void;
}

/** How often a cache stopped for want of disk room (map-room.ts) looks for room again. */
const roomRetryMs = 30_000;
/** Tries of one invalidation while other processes keep replacing the folder under it. */
const maxReplacedRetries = 4;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function openLmdbEnvironment(options: LmdbEnvironmentOptions): LmdbEnvironment {
  const { logger } = options;
  let handle: LmdbHandle | null = null;
  let failure: string | null = null;
  /** When a cache stopped for want of disk room, or by a lost commit, opens its folder again, or null (never). */
  let retryAt: number | null = null;
  /** What that wait was for, to say when the cache comes back. */
  let waitedFor = 'the disk has room again';
  const warned = new Set<string>();
  const lost = lostCommits();
  try {
    handle = options.openEnv();
  } catch (error) {
    // Anything but a lack of room: the caller runs without a cache, and says why.
    if (!isDiskFull(error)) throw error;
    failure = `it cannot be opened: ${errorText(error)}`;
    retryAt = Date.now() + roomRetryMs;
    logger.warn(
      `Episodic cache: ${failure}. Running without the cache until the disk has room (looked for every ${roomRetryMs / 1000} s); the database is unaffected.`,
    );
  }

  const warnOnce = (what: string, error: unknown) => {
    if (warned.has(what)) return;
    warned.add(what);
    logger.warn(`Episodic cache: ${what}: ${errorText(error)}`);
  };

  function release(): void {
    clearInterval(timer);
    detach();
  }

  function detach(): void {
    if (handle !== null) releaseHandle(handle, options.ephemeral);
    handle = null;
  }

  /**
   * After a failed invalidation the environment may hold stale values for every process: it is
   * removed (renamed away first, which needs no free space), so each process's next read finds
   * the folder replaced and starts a fresh one. This process stops using the cache, for good,
   * unless the disk lacked room for it (then until there is room again) or the failure was a
   * commit lmdb-js lost (`transient`: see lost-commits.ts; then it opens a new one after the same
   * wait: nothing is wrong with the cache, and a long-running server kept running without it).
   */
  function fail(what: string, error: unknown, transient = false): void {
    failure = `${what}: ${errorText(error)}`;
    const envPath = handle?.envPath;
    const noRoom = isDiskFull(error);
    retryAt = noRoom || transient ? Date.now() + roomRetryMs : null;
    waitedFor = noRoom ? 'the disk has room again' : `${roomRetryMs / 1000} s after a lost commit`;
    if (retryAt !== null) detach();
    else release();
    let others = 'every process sharing the cache starts an empty one';
    try {
      if (envPath !== undefined) removeFolder(envPath);
    } catch (removal) {
      others = `other processes may serve stale entries until their TTL (${errorText(removal)})`;
    }
    const until = noRoom
      ? `until the disk has room (looked for every ${roomRetryMs / 1000} s)`
      : transient
        ? `for ${roomRetryMs / 1000} s, then with a new one`
        : 'from now on';
    logger.warn(
      `Episodic cache: ${failure}. Running without the cache ${until}, and ${others}; the database is unaffected.`,
    );
  }

  /**
   * Opens the folder again once the disk has room (or the wait after a lost commit is over), and
   * empties it before any read: this process's writes while it ran without the cache dropped
   * nothing from it.
   */
  function reopenWhenDue(): void {
    if (retryAt === null || Date.now() < retryAt) return;
    try {
      handle = options.openEnv();
    } catch (error) {
      if (isDiskFull(error)) retryAt = Date.now() + roomRetryMs;
      else fail('the cache folder could not be opened again', error);
      return;
    }
    retryAt = null;
    failure = null;
    commitInvalidation('clearing the cache on its return', retireEverything);
    if (handle !== null) logger.warn(`Episodic cache: ${waitedFor}; running with the cache again (emptied).`);
  }

  function current(): LmdbHandle | null {
    if (handle === null) reopenWhenDue();
    if (handle === null) return null;
    if (dataFileInode(handle.envPath) !== handle.inode) {
      releaseHandle(handle);
      handle = null;
      try {
        handle = options.openEnv();
      } catch (error) {
        fail('the cache folder was replaced and could not be opened again', error);
      }
    }
    return handle;
  }

  const assertRoom = (active: LmdbHandle) => {
    if (active.writemap) assertMapRoom(active.envPath, options.mapSizeBytes);
  };

  const replacedUnder = (active: LmdbHandle, error: unknown) =>
    (error as NodeJS.ErrnoException | null)?.code === 'ENOENT' &&
    dataFileInode(active.envPath) !== active.inode;

  function commitInvalidation(what: string, write: (db: LmdbHandle['db']) => void): void {
    let kept: boolean;
    // Another process may replace the folder between `current()` and the write (its purge):
    // the invalidation then goes to the environment that took its place.
    for (let attempt = 1; ; attempt += 1) {
      const active = current();
      if (active === null) return;
      try {
        assertRoom(active);
        kept = lost.commit(active.db, () => write(active.db));
        break;
      } catch (error) {
        if (attempt < maxReplacedRetries && replacedUnder(active, error)) continue;
        fail(`${what} could not be written`, error);
        return;
      }
    }
    if (!kept)
      fail(
        `${what} was not kept`,
        new Error('LMDB returned from the commit, but the next snapshot does not show it'),
        true,
      );
  }

  const timer = setInterval(() => {
    const active = current();
    if (active !== null) options.onTick(active);
  }, options.tickMs);
  timer.unref();

  return {
    get handle() {
      return handle;
    },
    get failure() {
      return failure;
    },
    lost,
    current,
    assertRoom,
    replacedUnder,
    commitInvalidation,
    failUndone() {
      fail(
        'the cache went back to an earlier state',
        new Error(
          'a commit was undone: the generation is below one seen before, or the last invalidation is gone (see lost-commits.ts)',
        ),
        true,
      );
    },
    warnOnce,
    rebuild(active) {
      releaseHandle(active);
      handle = null;
      try {
        // Renamed away first: a process opening it meanwhile finds the whole folder or none.
        removeFolder(active.envPath);
        removeSetAside(active.envPath);
        handle = options.openEnv();
        return true;
      } catch (error) {
        fail('the cache could not be rebuilt after a purge', error);
        return false;
      }
    },
    close: release,
  };
}
