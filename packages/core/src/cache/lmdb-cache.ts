import type { Logger } from '../logger.js';
import { type Cache, type CachedJson, type CacheKey, type Generation, keyspaceOfKey } from './cache.js';
import {
  type KeyspaceTtlMs,
  liveBytes,
  liveEntries,
  makeRoom,
  newCounters,
  retire,
  retireEverything,
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
import { openLmdbEnvironment } from './lmdb-environment.js';
import {
  type LmdbHandle,
  readFeedPosition,
  readGeneration,
  readPurgedForgets,
  writeFeedPosition,
  writePurgedForgets,
} from './lmdb-handle.js';

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

/**
 * The LMDB cache. Every write is a synchronous LMDB transaction, so it is committed (visible to
 * every process) when the call returns; nothing is left queued when the store closes. What
 * happens when its environment goes wrong is `lmdb-environment.ts`.
 */
export function createLmdbCache(options: LmdbCacheOptions): Cache {
  const { settings } = options;
  const ttlMs: KeyspaceTtlMs = {
    episode: settings.ttl.episode * 1000,
    pattern: settings.ttl.pattern * 1000,
    query: settings.ttl.query * 1000,
  };
  const counters = newCounters();
  const cursor: SweepCursor = { after: undefined };
  let lastSweep = Date.now();
  let readErrors = 0;
  const env = openLmdbEnvironment({
    openEnv: options.openEnv,
    ephemeral: options.ephemeral,
    mapSizeBytes: settings.mapSizeBytes,
    logger: options.logger,
    tickMs: Math.min(folderCheckMs, settings.sweepIntervalMs),
    onTick(active) {
      const now = Date.now();
      if (now - lastSweep < settings.sweepIntervalMs) return;
      lastSweep = now;
      try {
        env.assertRoom(active);
        sweepExpired(active.db, settings.sweepBatchSize, now, counters, cursor);
      } catch (error) {
        // Expired entries are never served anyway; they just take room until a sweep succeeds.
        if (!env.replacedUnder(active, error)) env.warnOnce('sweeping expired entries failed', error);
      }
    },
  });

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
    accept: ((value: T) => boolean) | undefined,
  ): T | undefined {
    // Checked on every read, not on a timer: after the folder is replaced (a purge elsewhere, a
    // failed invalidation), the old environment no longer receives invalidations.
    const active = env.current();
    if (active === null) return undefined;
    try {
      // A new snapshot per call: lmdb-js otherwise keeps one until the next timer tick, which
      // could predate a write another process has already acknowledged.
      active.db.resetReadTxn();
      if (env.lost.generation(active.db) === null) {
        env.failUndone();
        counters[keyspace].misses += 1;
        return undefined;
      }
      const now = Date.now();
      for (const key of keys) {
        const value = read(active, key, now, decode);
        if (value !== undefined) {
          if (accept !== undefined && !accept(value)) break;
          counters[keyspace].hits += 1;
          return value;
        }
      }
    } catch (error) {
      // The database has the truth, so this is a miss; but a cache that cannot be read is counted.
      readErrors += 1;
      env.warnOnce('reading an entry failed (counted in cacheStats().readErrors)', error);
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
    if (!makeRoom(active.db, settings.mapSizeBytes, room, ttlMs, counters)) {
      // The map is full of removed entries' keys: every process moves to an empty environment,
      // as after a purge, and this value is not stored (a later fill stores it there).
      for (const keyspace of cacheKeyspaces) counters[keyspace].evictions += liveEntries(active.db, keyspace);
      replaceEnvironment('replacing a cache full of removed entries');
      return;
    }
    active.db.transactionSync(() => {
      // Checked and written in one transaction: a writer's invalidation cannot slip in between.
      if (readGeneration(active.db) === generation) active.db.putSync(key, envelope);
    });
  }

  /**
   * A `meta:` number `read` from a new snapshot; null when there is no environment or the read
   * fails (then the caller drops or replaces everything, which is never wrong).
   */
  function readMeta(read: (db: LmdbHandle['db']) => number | null, warning?: string): number | null {
    const active = env.current();
    if (active === null) return null;
    try {
      active.db.resetReadTxn();
      return read(active.db);
    } catch (error) {
      if (warning !== undefined) env.warnOnce(warning, error);
      return null;
    }
  }

  /** The last change-feed row applied to this cache (`Cache.feedPosition`). */
  const feedPosition = () => readMeta(readFeedPosition, 'reading the change-feed position failed');

  /**
   * Advances the generation, and nothing deleted (see `retire` in cache-maintenance.ts): the
   * environment is replaced with an empty one right after (its files deleted at once), and every
   * process moves to it at its next read, which checks the data file's inode. `forgets` as for
   * `Cache.purge`.
   */
  function replaceEnvironment(what: string, forgets?: number): void {
    env.commitInvalidation(what, () => undefined);
    const active = env.current();
    if (active === null) return;
    const position = feedPosition();
    if (!env.rebuild(active)) return;
    // The new environment is empty, so nothing in it predates the changes applied to the old one.
    if (position !== null || forgets !== undefined)
      env.commitInvalidation('recording the replacement', (db) => {
        if (position !== null) writeFeedPosition(db, position);
        if (forgets !== undefined) writePurgedForgets(db, forgets);
      });
  }

  /** The forget count the environment records (`Cache.purge`); null when none or unreadable. */
  const purgedForgets = () => readMeta(readPurgedForgets);

  function keyspaceStats(keyspace: CacheKeyspace, entries: number): KeyspaceStats {
    const { hits, misses } = counters[keyspace];
    return { ...counters[keyspace], entries, hitRate: hits + misses === 0 ? 0 : hits / (hits + misses) };
  }

  return {
    kind: 'lmdb',
    get enabled() {
      return env.handle !== null;
    },
    get: <T>(key: CacheKey, accept?: (value: T) => boolean) =>
      lookup([key], keyspaceOfKey(key), parsed<T>, accept),
    getFirst: <T>(keys: readonly CacheKey[], accept?: (value: T) => boolean) =>
      keys[0] === undefined ? undefined : lookup(keys, keyspaceOfKey(keys[0]), parsed<T>, accept),
    getJson: (key: CacheKey, accept?: (value: CachedJson) => boolean) =>
      lookup([key], keyspaceOfKey(key), asText, accept),

    generation(): Generation {
      const active = env.handle;
      if (active === null) return Number.NaN;
      try {
        active.db.resetReadTxn();
        const generation = env.lost.generation(active.db);
        if (generation !== null) return generation;
        env.failUndone();
        return Number.NaN;
      } catch {
        return Number.NaN; // never equal to itself: the fill that follows is skipped
      }
    },

    fill(key, value, generation, domain) {
      const active = env.handle;
      if (active === null || Number.isNaN(generation)) return;
      try {
        const envelope = encodeEnvelope(
          JSON.stringify(value),
          Date.now() + ttlMs[keyspaceOfKey(key)],
          settings,
          domain,
        );
        if (envelope.length > settings.mapSizeBytes * maxValueShare) return;
        env.assertRoom(active);
        try {
          put(active, key, envelope, generation, envelope.length);
        } catch {
          // A full map or disk: evict down to a quarter of the limit and try once more.
          put(active, key, envelope, generation, settings.mapSizeBytes / 2);
        }
      } catch (error) {
        // A fill that fails only costs a later miss; the caller already has its value.
        if (!env.replacedUnder(active, error)) env.warnOnce('a cache fill failed', error);
      }
    },

    invalidate(keys, position) {
      env.commitInvalidation('an invalidation', (db) => {
        for (const key of keys) retire(db, key);
        if (position !== undefined) writeFeedPosition(db, position);
      });
    },

    invalidateAll(position) {
      env.commitInvalidation('clearing the cache', (db) => {
        retireEverything(db);
        if (position !== undefined) writeFeedPosition(db, position);
      });
    },

    feedPosition,

    purge(forgets) {
      if (forgets !== undefined && purgedForgets() === forgets) return;
      replaceEnvironment('purging the cache', forgets);
    },

    stats(): CacheStats {
      const active = env.handle;
      const entries = (keyspace: CacheKeyspace) => (active === null ? 0 : liveEntries(active.db, keyspace));
      active?.db.resetReadTxn();
      return {
        enabled: active !== null,
        reason: active !== null ? null : (env.failure ?? 'closed'),
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

    close: () => env.close(),
  };
}
