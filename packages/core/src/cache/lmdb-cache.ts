import { rmSync } from 'node:fs';
import { isDiskFull } from '../db/storage-errors.js';
import type { Logger } from '../logger.js';
import { type Cache, type CachedJson, type CacheKey, type Generation, keyspaceOfKey } from './cache.js';
import { removeSetAside } from './cache-folder.js';
import {
  type KeyspaceTtlMs,
  keyspaceRange,
  liveBytes,
  makeRoom,
  newCounters,
  type SweepCursor,
  sweepExpired,
} from './cache-maintenance.js';
import type { CacheSettings } from './cache-options.js';
import { type CacheKeyspace, type CacheStats, cacheKeyspaces, type KeyspaceStats } from './cache-stats.js';
import {
  encodeEnvelope,
  envelopeDomain,
  envelopeExpiry,
  envelopeJson,
  envelopeJsonBytes,
} from './envelope.js';
import {
  dataFileInode,
  type LmdbHandle,
  readFeedPosition,
  readGeneration,
  readPurgedForgets,
  releaseHandle,
  writeFeedPosition,
  writePurgedForgets,
} from './lmdb-handle.js';
import { lostCommits } from './lost-commits.js';
import { assertMapRoom } from './map-room.js';
import { removeFolder } from './remove-folder.js';

export interface LmdbCacheOptions {
  /** The cache folder, as `cacheStats().path` reports it. */
  root: string;
  settings: CacheSettings;
  logger: Logger;
  /** Opens the environment: at start, and again if its folder is replaced while we run. Throws when it cannot. */
  openEnv(): LmdbHandle;
  /** Remove the environment when the last store using it closes (it belongs to an in-memory database). */
  ephemeral: boolean;
}

/** A value bigger than this share of the map is not cached: it would evict too much to fit. */
const maxValueShare = 1 / 8;
/** How often we check that our folder is still the one at the path (someone may delete it). */
const folderCheckMs = 1000;
/** How often a cache stopped for want of disk room (map-room.ts) looks for room again. */
const roomRetryMs = 30_000;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The LMDB cache. Every write is a synchronous LMDB transaction, so it is committed (visible to
 * every process) when the call returns; nothing is left queued when the store closes.
 */
export function createLmdbCache(options: LmdbCacheOptions): Cache {
  const { settings, logger } = options;
  const ttlMs: KeyspaceTtlMs = {
    episode: settings.ttl.episode * 1000,
    pattern: settings.ttl.pattern * 1000,
    query: settings.ttl.query * 1000,
  };
  const counters = newCounters();
  const cursor: SweepCursor = { after: undefined };
  let handle: LmdbHandle | null = null;
  let failure: string | null = null;
  /** When a cache stopped for want of disk room opens its folder again, or null (never). */
  let retryAt: number | null = null;
  let lastSweep = Date.now();
  let readErrors = 0;
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
    if (handle !== null) {
      lost.forget(handle.db);
      releaseHandle(handle, options.ephemeral);
    }
    handle = null;
  }

  /**
   * After a failed invalidation the environment may hold stale values for every process: it is
   * removed (renamed away first, which needs no free space), so each process's next read finds
   * the folder replaced and starts a fresh one; this process stops using the cache, for good
   * unless the disk lacked room for it (then until there is room again).
   */
  function fail(what: string, error: unknown): void {
    failure = `${what}: ${errorText(error)}`;
    const envPath = handle?.envPath;
    const noRoom = isDiskFull(error);
    retryAt = noRoom ? Date.now() + roomRetryMs : null;
    if (noRoom) detach();
    else release();
    let others = 'every process sharing the cache starts an empty one';
    try {
      if (envPath !== undefined) removeFolder(envPath);
    } catch (removal) {
      others = `other processes may serve stale entries until their TTL (${errorText(removal)})`;
    }
    const until = noRoom
      ? `until the disk has room (looked for every ${roomRetryMs / 1000} s)`
      : 'from now on';
    logger.warn(
      `Episodic cache: ${failure}. Running without the cache ${until}, and ${others}; the database is unaffected.`,
    );
  }

  /**
   * Opens the folder again once the disk has room, and empties it before any read: this
   * process's writes while it ran without the cache dropped nothing from it.
   */
  function reopenWhenRoom(): void {
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
    commitInvalidation('clearing the cache once the disk had room', dropEverything);
    if (handle !== null)
      logger.warn('Episodic cache: the disk has room again; running with the cache again (emptied).');
  }

  /**
   * The environment, reopened first if its folder was deleted or set aside since we opened it:
   * the other processes now use the new one, and our invalidations must reach them there.
   */
  function current(): LmdbHandle | null {
    if (handle === null) reopenWhenRoom();
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

  /** Throws when `active` must not be written now: through its map, a full disk kills the process. */
  const assertRoom = (active: LmdbHandle) => {
    if (active.writemap) assertMapRoom(active.envPath, settings.mapSizeBytes);
  };

  const timer = setInterval(
    () => {
      const active = current();
      const now = Date.now();
      if (active === null || now - lastSweep < settings.sweepIntervalMs) return;
      lastSweep = now;
      try {
        assertRoom(active);
        sweepExpired(active.db, settings.sweepBatchSize, now, counters, cursor);
      } catch (error) {
        // Expired entries are never served anyway; they just take room until a sweep succeeds.
        warnOnce('sweeping expired entries failed', error);
      }
    },
    Math.min(folderCheckMs, settings.sweepIntervalMs),
  );
  timer.unref();

  /** A fresh value at `key` as `decode` reads its envelope, or undefined; counts nothing. */
  function read<T>(
    active: LmdbHandle,
    key: CacheKey,
    now: number,
    decode: (envelope: Buffer) => T | undefined,
  ): T | undefined {
    const bytes = active.db.getBinaryFast(key);
    if (bytes === undefined) return undefined;
    const expiry = envelopeExpiry(bytes);
    if (expiry === null || expiry <= now) return undefined;
    return decode(bytes);
  }

  const parsed = <T>(envelope: Buffer) => JSON.parse(envelopeJson(envelope)) as T;
  const asText = (envelope: Buffer): CachedJson | undefined => {
    const domain = envelopeDomain(envelope);
    return domain === undefined ? undefined : { json: envelopeJsonBytes(envelope), domain };
  };

  function lookup<T>(
    keys: readonly CacheKey[],
    keyspace: CacheKeyspace,
    decode: (envelope: Buffer) => T | undefined,
  ): T | undefined {
    // Checked on every read, not on a timer: after the folder is replaced (a purge elsewhere, a
    // failed invalidation), the old environment no longer receives invalidations.
    const active = current();
    if (active === null) return undefined;
    try {
      // A new snapshot per call: lmdb-js otherwise keeps one until the next timer tick, which
      // could predate a write another process has already acknowledged.
      active.db.resetReadTxn();
      if (lost.generation(active.db) === null) {
        failUndone();
        counters[keyspace].misses += 1;
        return undefined;
      }
      const now = Date.now();
      for (const key of keys) {
        const value = read(active, key, now, decode);
        if (value !== undefined) {
          counters[keyspace].hits += 1;
          return value;
        }
      }
    } catch (error) {
      // The database has the truth, so this is a miss; but a cache that cannot be read is counted.
      readErrors += 1;
      warnOnce('reading an entry failed (counted in cacheStats().readErrors)', error);
    }
    counters[keyspace].misses += 1;
    return undefined;
  }

  function put(
    active: LmdbHandle,
    key: CacheKey,
    envelope: Buffer,
    generation: Generation,
    room: number,
  ): void {
    makeRoom(active.db, settings.mapSizeBytes, room, ttlMs, counters);
    active.db.transactionSync(() => {
      // Checked and written in one transaction: a writer's invalidation cannot slip in between.
      if (readGeneration(active.db) === generation) active.db.putSync(key, envelope);
    });
  }

  /** A commit that fails, or that reads back missing or on an undone state (lost-commits.ts), fails the cache. */
  function commitInvalidation(what: string, write: (db: LmdbHandle['db']) => void): void {
    const active = current();
    if (active === null) return;
    let kept: boolean;
    try {
      assertRoom(active);
      kept = lost.commit(active.db, () => write(active.db));
    } catch (error) {
      fail(`${what} could not be written`, error);
      return;
    }
    if (!kept)
      fail(
        `${what} was not kept`,
        new Error('LMDB returned from the commit, but the next snapshot does not show it'),
      );
  }

  function failUndone(): void {
    fail(
      'the cache went back to an earlier state',
      new Error(
        'a commit was undone: the generation is below one seen before, or the last invalidation is gone (see lost-commits.ts)',
      ),
    );
  }

  /** The forget count the environment records (`Cache.purge`), from a new snapshot; null when none or unreadable. */
  function purgedForgets(): number | null {
    const active = current();
    if (active === null) return null;
    try {
      active.db.resetReadTxn();
      return readPurgedForgets(active.db);
    } catch {
      return null; // then it is purged again, which is never wrong
    }
  }

  function dropEverything(db: LmdbHandle['db']): void {
    for (const keyspace of cacheKeyspaces) {
      for (const key of [...db.getKeys(keyspaceRange(keyspace))]) db.removeSync(key);
    }
  }

  function keyspaceStats(keyspace: CacheKeyspace, entries: number): KeyspaceStats {
    const { hits, misses } = counters[keyspace];
    return { ...counters[keyspace], entries, hitRate: hits + misses === 0 ? 0 : hits / (hits + misses) };
  }

  return {
    kind: 'lmdb',
    get enabled() {
      return handle !== null;
    },
    get: <T>(key: CacheKey) => lookup([key], keyspaceOfKey(key), parsed<T>),
    getFirst: <T>(keys: readonly CacheKey[]) =>
      keys[0] === undefined ? undefined : lookup(keys, keyspaceOfKey(keys[0]), parsed<T>),
    getJson: (key: CacheKey) => lookup([key], keyspaceOfKey(key), asText),

    generation(): Generation {
      if (handle === null) return Number.NaN;
      try {
        handle.db.resetReadTxn();
        const generation = lost.generation(handle.db);
        if (generation !== null) return generation;
        failUndone();
        return Number.NaN;
      } catch {
        return Number.NaN; // never equal to itself: the fill that follows is skipped
      }
    },

    fill(key, value, generation, domain) {
      const active = handle;
      if (active === null || Number.isNaN(generation)) return;
      try {
        const envelope = encodeEnvelope(
          JSON.stringify(value),
          Date.now() + ttlMs[keyspaceOfKey(key)],
          settings,
          domain,
        );
        if (envelope.length > settings.mapSizeBytes * maxValueShare) return;
        assertRoom(active);
        try {
          put(active, key, envelope, generation, envelope.length);
        } catch {
          // A full map or disk: evict down to a quarter of the limit and try once more.
          put(active, key, envelope, generation, settings.mapSizeBytes / 2);
        }
      } catch (error) {
        // A fill that fails only costs a later miss; the caller already has its value.
        warnOnce('a cache fill failed', error);
      }
    },

    invalidate(keys, feedPosition) {
      commitInvalidation('an invalidation', (db) => {
        for (const key of keys) db.removeSync(key);
        if (feedPosition !== undefined) writeFeedPosition(db, feedPosition);
      });
    },

    invalidateAll(feedPosition) {
      commitInvalidation('clearing the cache', (db) => {
        dropEverything(db);
        if (feedPosition !== undefined) writeFeedPosition(db, feedPosition);
      });
    },

    feedPosition() {
      const active = current();
      if (active === null) return null;
      try {
        active.db.resetReadTxn();
        return readFeedPosition(active.db);
      } catch (error) {
        // Unknown: the caller then drops everything, which is never wrong.
        warnOnce('reading the change-feed position failed', error);
        return null;
      }
    },

    purge(forgets) {
      if (forgets !== undefined && purgedForgets() === forgets) return;
      this.invalidateAll();
      const active = current();
      if (active === null) return;
      const position = this.feedPosition();
      releaseHandle(active);
      handle = null;
      try {
        rmSync(active.envPath, { recursive: true, force: true });
        removeSetAside(active.envPath);
        handle = options.openEnv();
      } catch (error) {
        fail('the cache could not be rebuilt after a purge', error);
        return;
      }
      // The new environment is empty, so nothing in it predates the changes applied to the old one.
      if (position !== null || forgets !== undefined)
        commitInvalidation('recording the purge', (db) => {
          if (position !== null) writeFeedPosition(db, position);
          if (forgets !== undefined) writePurgedForgets(db, forgets);
        });
    },

    stats(): CacheStats {
      const active = handle;
      const entries = (keyspace: CacheKeyspace) =>
        active === null ? 0 : active.db.getKeysCount(keyspaceRange(keyspace));
      active?.db.resetReadTxn();
      return {
        enabled: active !== null,
        reason: active !== null ? null : (failure ?? 'closed'),
        path: active === null ? null : options.root,
        sizeBytes: active === null ? 0 : liveBytes(active.db),
        readErrors,
        keyspaces: {
          episode: keyspaceStats('episode', entries('episode')),
          pattern: keyspaceStats('pattern', entries('pattern')),
          query: keyspaceStats('query', entries('query')),
        },
      };
    },

    close: release,
  };
}
