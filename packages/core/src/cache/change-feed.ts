import type { Row } from '@libsql/client';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Cache, CacheKey } from './cache.js';

/**
 * Most rows one read applies key by key; a cache further behind drops everything instead. About
 * 8 s of the engine's full write rate: a host reading every second keeps its cache under such a
 * load. (`DISTINCT` in the query would shrink the keys' JSON there, but cost every write's own
 * read about 5% of `pnpm bench ingest`; a `Set` dedupes them instead.)
 */
const maxRowsPerRead = 50_000;

/**
 * Keeps a cache in step with writes it did not see: another host's (each host has its own
 * cache), a process with another cache folder or none, SQL by hand. Every such write appends the
 * cache keys it makes stale to `change_feed` (triggers, schema 1.19.0); this reads the rows after
 * the position the cache folder last applied and drops those keys, recording the new position
 * in the same LMDB transaction, so the processes sharing a folder share the work.
 */
export interface ChangeFeedFollower {
  /**
   * Applies every row written so far. `written`: the keys a write of this store just made stale,
   * dropped in the same LMDB commit (after a write, one commit, as without the feed; its own rows
   * are then behind the position, so they do not drop, a moment later, what is cached after it).
   * Never throws: a failed read is logged and tried again later (`written` is dropped anyway).
   */
  catchUp(written?: readonly CacheKey[]): Promise<void>;
  status(): ChangeFeedStats;
  /** Stops reading on a timer and waits for a read in flight. */
  close(): Promise<void>;
}

/** How far this store's cache follows the change feed, for `cacheStats()` and `/metrics`. */
export interface ChangeFeedStats {
  /** `cache.feedIntervalMs`. */
  intervalMs: number;
  /** When this store last read the feed through (ISO-8601), or null before it did. */
  lastReadAt: string | null;
  /** Whether its last read failed (the reason was logged once). */
  failing: boolean;
}

export interface ChangeFeedOptions {
  db: Database;
  cache: Cache;
  /** Time between reads: the most a cached value can lag a write the cache did not see. */
  intervalMs: number;
  logger: Logger;
}

export function followChangeFeed({ db, cache, intervalMs, logger }: ChangeFeedOptions): ChangeFeedFollower {
  let inFlight: Promise<void> | null = null;
  let failing = false;
  let lastReadAt: number | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  /** The forget count whose purge this store last had its cache folder follow: checked again only when it moves. */
  let purgeFollowed: number | null = null;

  /** `written`: keys a write of this store made stale, dropped in the same LMDB commit as the rows. */
  async function apply(written: readonly CacheKey[] | undefined): Promise<void> {
    if (!cache.enabled) return;
    const position = cache.feedPosition();
    let row: Row | undefined;
    try {
      // One statement, so one snapshot: the bounds and the rows agree, whatever is written or
      // pruned meanwhile (and no BEGIN and COMMIT around two).
      row = (
        await db.read({
          sql: `SELECT (SELECT MIN(seq) FROM change_feed) AS low, (SELECT MAX(seq) FROM change_feed) AS high,
            (SELECT json_group_array(key) FROM
              (SELECT key FROM change_feed WHERE seq > ? ORDER BY seq LIMIT ?)) AS keys,
            (SELECT requested FROM fts_purge WHERE id = 1 AND pending_since IS NULL) AS purged`,
          args: [position ?? Number.MAX_SAFE_INTEGER, maxRowsPerRead + 1],
        })
      ).rows[0];
    } catch (error) {
      if (written !== undefined) cache.invalidate(written);
      throw error;
    }
    const low = Number(row?.low ?? 0);
    const high = Number(row?.high ?? 0);
    if (position === high) {
      if (written !== undefined) cache.invalidate(written);
    } else {
      const keys = JSON.parse(String(row?.keys ?? '[]')) as CacheKey[];
      // Never applied (a new cache folder, or one from before the feed), gone back (the database was
      // replaced), rows pruned before this cache read them, or too far behind: drop everything.
      if (position === null || high < position || low > position + 1 || high - position > maxRowsPerRead)
        cache.invalidateAll(high);
      else cache.invalidate(written === undefined ? keys : [...new Set([...written, ...keys])], high);
    }
    // Dropping a forgotten entry leaves its bytes in the cache file's freed pages. A forget made
    // elsewhere (another host, another cache folder, none) purged only its own: once its purge
    // ran, this folder's environment is replaced too (a no-op where that is already done). Only
    // when the count moved: asking the folder costs an LMDB read snapshot, and this runs per write.
    const purged = row?.purged == null ? null : Number(row.purged);
    if (purged !== null && purged !== purgeFollowed) {
      cache.purge(purged);
      purgeFollowed = purged;
    }
  }

  async function catchUp(written?: readonly CacheKey[]): Promise<void> {
    // Reads already in flight may predate the caller's write: wait for them, then read again.
    while (inFlight !== null) await inFlight;
    inFlight = apply(written).then(
      () => {
        if (failing) logger.warn('Episodic cache: reading the change feed works again.');
        failing = false;
        lastReadAt = Date.now();
      },
      (error: unknown) => {
        if (!failing)
          logger.warn(
            `Episodic cache: reading the change feed failed (${error instanceof Error ? error.message : String(error)}); ` +
              'values other hosts changed may be served until it can be read again or their TTL ends.',
          );
        failing = true;
      },
    );
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
  }

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void catchUp().finally(schedule), intervalMs);
    timer.unref();
  };
  schedule();

  return {
    catchUp,
    status: () => ({
      intervalMs,
      lastReadAt: lastReadAt === null ? null : new Date(lastReadAt).toISOString(),
      failing,
    }),
    async close() {
      closed = true;
      clearTimeout(timer);
      while (inFlight !== null) await inFlight;
    },
  };
}
