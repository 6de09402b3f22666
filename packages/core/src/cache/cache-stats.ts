/** The cache's keyspaces, as the seed names them: `episode:{id}`, `pattern:{type}:{hash}`, `query:{hash}`. */
export const cacheKeyspaces = ['episode', 'pattern', 'query'] as const;
export type CacheKeyspace = (typeof cacheKeyspaces)[number];

export interface KeyspaceStats {
  hits: number;
  misses: number;
  /** Entries dropped to make room (not expiry). */
  evictions: number;
  /** Entries removed because their TTL had passed. */
  expirations: number;
  /** Entries currently stored. */
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
  keyspaces: Record<CacheKeyspace, KeyspaceStats>;
}

export function emptyKeyspaceStats(): KeyspaceStats {
  return { hits: 0, misses: 0, evictions: 0, expirations: 0, entries: 0, hitRate: 0 };
}
