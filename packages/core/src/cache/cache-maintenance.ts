import { type CacheKeyspace, cacheKeyspaces } from './cache-stats.js';
import { envelopeExpiry, isRetired, retiredEnvelope } from './envelope.js';
import type { CacheDb } from './lmdb-handle.js';

export interface Counters {
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
}
export type KeyspaceCounters = Record<CacheKeyspace, Counters>;
export type KeyspaceTtlMs = Record<CacheKeyspace, number>;

export function newCounters(): KeyspaceCounters {
  const zero = (): Counters => ({ hits: 0, misses: 0, evictions: 0, expirations: 0 });
  return { episode: zero(), pattern: zero(), query: zero() };
}

export function keyspaceOf(key: string): CacheKeyspace | null {
  const name = key.slice(0, key.indexOf(':'));
  return (cacheKeyspaces as readonly string[]).includes(name) ? (name as CacheKeyspace) : null;
}

/** Every key of a keyspace: `;` is the character after `:`. */
export function keyspaceRange(keyspace: CacheKeyspace) {
  return { start: `${keyspace}:`, end: `${keyspace};` };
}

/**
 * Call inside a write transaction. Removes the entry at `key` by overwriting it with
 * `retiredEnvelope`, which every read misses; true when there was an entry to remove. No entry
 * is ever deleted: through LMDB's writable map, lmdb-js 3.5 aborts the process (`Assertion
 * 'x <= dl[0].mid' failed in mdb_freelist_save()`, SIGABRT) when a commit frees a page it wrote
 * itself and no freed page can be reused, as while another process holds an older snapshot;
 * only deletions free such pages (a leaf emptied or merged), an overwrite never does. In a probe
 * with another process holding a snapshot, single-key deletions aborted within 400 commits in
 * every run, overwrites survived 4,000 commits of fills, removals and clears in each of 6 runs.
 * The keys stay: when retired ones fill the map, the environment is replaced (`makeRoom`).
 */
export function retire(db: CacheDb, key: string): boolean {
  const value = db.getBinaryFast(key);
  if (value === undefined || isRetired(value)) return false;
  db.putSync(key, retiredEnvelope);
  return true;
}

/** Call inside a write transaction. Removes every entry, of every keyspace (the `meta:` keys stay). */
export function retireEverything(db: CacheDb): void {
  for (const keyspace of cacheKeyspaces) {
    for (const key of [...db.getKeys(keyspaceRange(keyspace))]) retire(db, key);
  }
}

/** The entries of `keyspace` not removed (each value's header is read: ~1 ms per 1,000 entries). */
export function liveEntries(db: CacheDb, keyspace: CacheKeyspace): number {
  let entries = 0;
  for (const key of db.getKeys(keyspaceRange(keyspace))) {
    const value = db.getBinaryFast(key);
    if (value !== undefined && !isRetired(value)) entries += 1;
  }
  return entries;
}

interface LmdbStats {
  pageSize: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

function pageStats(db: CacheDb): LmdbStats {
  return db.getStats() as LmdbStats;
}

/**
 * Bytes in pages that hold entries now. lmdb-js grows the map on demand instead of failing
 * with MDB_MAP_FULL, so the bound on the cache's size is this figure, kept by `makeRoom`.
 * Freed pages are reused, not returned: the file can stay larger than the live data.
 */
export function liveBytes(db: CacheDb): number {
  const stats = pageStats(db);
  return (stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages) * stats.pageSize;
}

/** Small transactions: another process waiting to write never waits long. */
const removalChunk = 256;
/** Eviction frees down to this share of the limit, so it does not run again on the next fill. */
const lowWater = 0.75;

/**
 * Removes (`retire`) the entries at `keys` and counts them under `reason`. With `stillDue`, an
 * entry is removed only if its value, read again inside the write transaction, still qualifies:
 * another process may have refilled it since the caller looked.
 */
function removeKeys(
  db: CacheDb,
  keys: readonly string[],
  counters: KeyspaceCounters,
  reason: 'evictions' | 'expirations',
  stillDue?: (value: Buffer) => boolean,
): number {
  let removed = 0;
  for (let start = 0; start < keys.length; start += removalChunk) {
    db.transactionSync(() => {
      for (const key of keys.slice(start, start + removalChunk)) {
        const keyspace = keyspaceOf(key);
        if (keyspace === null) continue;
        if (stillDue !== undefined) {
          const value = db.getBinaryFast(key);
          if (value === undefined || !stillDue(value)) continue;
        }
        if (retire(db, key)) {
          counters[keyspace][reason] += 1;
          removed += 1;
        }
      }
    });
  }
  return removed;
}

/**
 * Keeps the live data under `limit` with room for `incoming` more bytes: query results go first
 * (they are the cheapest to recompute and the first to go stale), then the oldest episodes and
 * patterns by write time. False when that could not be done: removed entries keep their keys
 * (`retire`), and a value small enough to sit in its leaf page frees no page when removed, so a
 * map full of removed entries can only be emptied by replacing the environment (the caller's).
 */
export function makeRoom(
  db: CacheDb,
  limit: number,
  incoming: number,
  ttlMs: KeyspaceTtlMs,
  counters: KeyspaceCounters,
): boolean {
  // What storing `incoming` bytes can take: its pages rounded up, plus a leaf page that splits.
  const { pageSize } = pageStats(db);
  const needed = (Math.ceil((incoming + 64) / pageSize) + 1) * pageSize;
  if (liveBytes(db) + needed <= limit) return true;
  const target = limit * lowWater - needed;
  removeKeys(db, [...db.getKeys(keyspaceRange('query'))], counters, 'evictions');
  if (liveBytes(db) <= target) return true;
  const aged: { key: string; writtenAt: number }[] = [];
  for (const keyspace of ['episode', 'pattern'] as const) {
    for (const key of [...db.getKeys(keyspaceRange(keyspace))]) {
      const value = db.getBinaryFast(key);
      if (value === undefined || isRetired(value)) continue;
      const expiry = envelopeExpiry(value);
      aged.push({ key, writtenAt: expiry === null ? -Infinity : expiry - ttlMs[keyspace] });
    }
  }
  aged.sort((a, b) => a.writtenAt - b.writtenAt);
  for (let start = 0; start < aged.length && liveBytes(db) > target; start += removalChunk) {
    const oldest = aged.slice(start, start + removalChunk).map((entry) => entry.key);
    removeKeys(db, oldest, counters, 'evictions');
  }
  return liveBytes(db) <= target;
}

export interface SweepCursor {
  /** The last key the previous sweep looked at; the next one starts after it. */
  after: string | undefined;
}

/**
 * Looks at up to `batchSize` entries after the cursor and removes (`retire`) those whose TTL has
 * passed (or that are not readable envelopes). Successive sweeps walk the whole cache, then wrap.
 */
export function sweepExpired(
  db: CacheDb,
  batchSize: number,
  now: number,
  counters: KeyspaceCounters,
  cursor: SweepCursor,
): number {
  const range =
    cursor.after === undefined ? { limit: batchSize } : { start: cursor.after, limit: batchSize + 1 };
  // `start` is inclusive: the cursor's own key comes back unless a sweep removed it.
  const keys = [...db.getKeys(range)].filter((key) => key !== cursor.after).slice(0, batchSize);
  cursor.after = keys.length < batchSize ? undefined : keys.at(-1);
  const due = (value: Buffer) => {
    const expiry = envelopeExpiry(value);
    return expiry === null || expiry <= now;
  };
  const expired = keys.filter((key) => {
    if (keyspaceOf(key) === null) return false;
    const value = db.getBinaryFast(key);
    return value !== undefined && !isRetired(value) && due(value);
  });
  return removeKeys(db, expired, counters, 'expirations', due);
}
