import type { VectorIndexStats } from '../embeddings/vector-index.js';
import type { ChangeFeedStats } from './change-feed.js';

/** The cache's keyspaces, as the seed names them: `episode:{id}`, `pattern:{type}:{hash}`, `query:{hash}`. */
export const cacheKeyspaces = ['episode', 'pattern', 'query'] as const;
export type CacheKeyspace = (typeof cacheKeyspaces)[number];

export interface KeyspaceStats {
  /** Reads served from the cache, since this store was opened. */
  hits: number;
  /** Reads that went to the database (absent or expired entry), since this store was opened. */
  misses: number;
  /** Entries dropped to make room (not expiry). */
  evictions: number;
  /** Entries removed because their TTL had passed. */
  expirations: number;
  /** Entries currently stored, by every process sharing the cache. */
  entries: number;
  /** hits / (hits + misses), or 0 before the first read. */
  hitRate: number;
}

/** What an operator watches to tune TTLs (the seed: "monitor cache hit rates"). */
export interface CacheStats {
  /** False when the store runs without a cache (`cache: false`, or the cache could not be opened). */
  enabled: boolean;
  /** Why the cache is disabled, when it is. */
  reason: string | null;
  /** The cache folder (`cache.path` or its default), when the cache is enabled. */
  path: string | null;
  /** Bytes of live cache data, kept under `cache.mapSizeBytes` by eviction. */
  sizeBytes: number;
  /** Reads that failed (an unreadable environment or entry) and were answered by the database. */
  readErrors: number;
  keyspaces: Record<CacheKeyspace, KeyspaceStats>;
}

/** `cacheStats()`: the LMDB cache, and the in-memory vector index beside it. */
export interface StoreCacheStats extends CacheStats {
  /** The vector index of the embedding provider in use; null without one. */
  vectorIndex: VectorIndexStats | null;
  /** How the cache follows the database's change feed; null without a cache. */
  changeFeed: ChangeFeedStats | null;
}

export function emptyKeyspaceStats(): KeyspaceStats {
  return { hits: 0, misses: 0, evictions: 0, expirations: 0, entries: 0, hitRate: 0 };
}
