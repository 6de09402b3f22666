import { type CacheKeyspace, type CacheStats, emptyKeyspaceStats } from './cache-stats.js';

/** A key in the seed's layout: `episode:{id}`, `pattern:{type}:{hash}` or `query:{hash}`. */
export type CacheKey = `${CacheKeyspace}:${string}`;

export const cacheKey = {
  // Lower case as stored, so `getEpisode('ABC…')` and the change feed's `episode:abc…` are one key.
  episode: (id: string): CacheKey => `episode:${id.toLowerCase()}`,
  pattern: (type: string, id: string): CacheKey => `pattern:${type}:${id}`,
  query: (hash: string): CacheKey => `query:${hash}`,
};

export function keyspaceOfKey(key: CacheKey): CacheKeyspace {
  return key.slice(0, key.indexOf(':')) as CacheKeyspace;
}

/**
 * A stamp of every write so far. Read it before loading a value from the database and hand it
 * to `fill`: if any write happened in between, the loaded value may predate it and is dropped.
 */
export type Generation = number;

/** A cached value as the UTF-8 bytes of its JSON, with the domain it was stored under. */
export interface CachedJson {
  json: Buffer;
  domain: string;
}

/**
 * The engine's view of its cache. The engine runs the same with the disabled implementation;
 * the LMDB one is shared by every process that opens the same database and cache path.
 */
export interface Cache {
  /**
   * `'lmdb'`: the shared cache, enabled or not now (one stopped for want of disk room comes back
   * when there is room, so the change feed is followed whatever `enabled` says); `'disabled'`:
   * never a cache.
   */
  readonly kind: 'lmdb' | 'disabled';
  readonly enabled: boolean;
  /**
   * A fresh value, or `undefined` (absent, expired or unreadable). Counts a hit or a miss. Reads
   * from a new LMDB snapshot, so it sees every write any process acknowledged before the call.
   * A value `accept` refuses (a row outside the caller's scope) is `undefined` and counted as a
   * miss: the counters are store-wide (`/metrics`), so a hit would tell a caller that a row it may
   * not see exists.
   */
  get<T>(key: CacheKey, accept?: (value: T) => boolean): T | undefined;
  /** The first fresh value among `keys` (one value that may live under several keys); one hit or miss. */
  getFirst<T>(keys: readonly CacheKey[], accept?: (value: T) => boolean): T | undefined;
  /**
   * As `get`, but the value's JSON as UTF-8 bytes, unparsed, with the domain it was filled with:
   * for a value handed on as it is once its domain is checked. A value filled without a domain misses.
   */
  getJson(key: CacheKey, accept?: (value: CachedJson) => boolean): CachedJson | undefined;
  /** The current generation, from a new LMDB snapshot (as `get`). */
  generation(): Generation;
  /**
   * Stores `value` unless a write happened since `generation` was read. Never throws. `domain`
   * (the domain the value belongs to) is stored beside it for `getJson`.
   */
  fill(key: CacheKey, value: unknown, generation: Generation, domain?: string): void;
  /**
   * Removes the entries at `keys` (overwritten, never deleted: see `retire` in
   * cache-maintenance.ts) and advances the generation in one LMDB transaction, committed when this
   * returns. Every engine write calls it after its database commit. `feedPosition`: the
   * change-feed row these keys were read up to, recorded in the same transaction.
   */
  invalidate(keys: readonly CacheKey[], feedPosition?: number): void;
  /**
   * Removes every episode, pattern and query entry and advances the generation (after a bulk
   * change); `feedPosition` as for `invalidate`.
   */
  invalidateAll(feedPosition?: number): void;
  /**
   * The last change-feed row applied to this cache, by any process sharing it (from a new LMDB
   * snapshot), or null when none was: a new cache, or one from before the feed.
   */
  feedPosition(): number | null;
  /**
   * Advances the generation, then replaces the environment with a new, empty one. LMDB does not
   * zero the pages it frees, so removing entries leaves their bytes in the file: after a deletion on
   * request nothing of the deleted data may stay on disk. Other processes move to the new
   * environment as they do when its folder is replaced. `forgets`: the database's count of
   * forgets (`fts_purge.requested`) the new environment comes after, recorded in it; an
   * environment that already records that count is left as it is (each cache folder is purged
   * once per purge run, whichever process or host's change-feed read comes first).
   */
  purge(forgets?: number): void;
  stats(): CacheStats;
  close(): void;
}

/** The cache when there is none: every read misses, nothing is stored. */
export function disabledCache(reason: string): Cache {
  return {
    kind: 'disabled',
    enabled: false,
    get: () => undefined,
    getFirst: () => undefined,
    getJson: () => undefined,
    generation: () => 0,
    fill: () => undefined,
    invalidate: () => undefined,
    invalidateAll: () => undefined,
    feedPosition: () => null,
    purge: () => undefined,
    stats: () => ({
      enabled: false,
      reason,
      path: null,
      sizeBytes: 0,
      readErrors: 0,
      keyspaces: {
        episode: emptyKeyspaceStats(),
        pattern: emptyKeyspaceStats(),
        query: emptyKeyspaceStats(),
      },
    }),
    close: () => undefined,
  };
}
