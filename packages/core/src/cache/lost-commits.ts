import { randomInt, randomUUID } from 'node:crypto';
import { advanceGeneration, type CacheDb, readGeneration } from './lmdb-handle.js';

/**
 * Catches commits lmdb-js loses. lmdb-js 3.5 loses commits when several processes commit to one
 * environment at once: four processes at a time filling, invalidating and reading back their own
 * keys in a tight loop (writable map, no fsync, as the cache runs) lost about one commit in
 * 100,000 to 300,000. Some are missing from the very next snapshot; others are undone later, when
 * another process commits on top of a state from before them. A lost fill costs a miss, but a
 * lost invalidation leaves an entry the database has changed. So:
 * - each invalidation writes a token under this cache's own key and reads it back in a fresh
 *   snapshot, and every later read of this cache checks that it is still there: a token missing
 *   or replaced means the transaction was lost or undone;
 * - the generation only grows (each invalidation adds a random step), so a snapshot whose
 *   generation is below one this process has seen was built on an undone state.
 * The caller fails the cache on either (its folder is replaced: every process starts empty).
 * The token's key stays when the store closes (some 60 bytes per store opened on the
 * environment): no key is ever deleted from the cache (see `retire` in cache-maintenance.ts).
 * Not caught at once: until the invalidating process (or one that saw the generation it wrote)
 * reads again, a process that last read before the invalidation cannot tell it undone from never
 * made, and serves the entry again.
 */
export interface LostCommits {
  /**
   * Advances the generation, runs `write` in the same transaction and returns whether the
   * commit is in the next snapshot. Throws what LMDB throws.
   */
  commit(db: CacheDb, write: () => void): boolean;
  /**
   * The current snapshot's generation, or null when it shows a commit undone: the generation
   * below one seen before in `db`, or this cache's last token gone.
   */
  generation(db: CacheDb): number | null;
}

/** The token as written, or NaN when there is none: a number, so no copy of the bytes is made. */
function readToken(db: CacheDb, key: string): number {
  const bytes = db.getBinaryFast(key);
  return bytes === undefined || bytes.length !== 8 ? Number.NaN : bytes.readDoubleLE(0);
}

export function lostCommits(): LostCommits {
  // Per instance, not per environment: another store's later commit must not pass for ours.
  const tokenKey = `meta:confirm:${randomUUID()}`;
  // The environment our token is in, the highest generation seen there, and our last token (NaN:
  // none yet). Only the last environment: an earlier one was replaced, folder and all.
  let seenIn: CacheDb | null = null;
  let highest = -Infinity;
  let token = Number.NaN;

  const track = (db: CacheDb) => {
    if (seenIn === db) return;
    seenIn = db;
    highest = -Infinity;
    token = Number.NaN;
  };
  const see = (db: CacheDb): number | null => {
    track(db);
    const generation = readGeneration(db);
    if (generation < highest) return null;
    if (!Number.isNaN(token) && readToken(db, tokenKey) !== token) return null;
    highest = generation;
    return generation;
  };

  return {
    commit(db, write) {
      const next = randomInt(2 ** 47);
      const bytes = Buffer.allocUnsafe(8);
      bytes.writeDoubleLE(next, 0);
      db.transactionSync(() => {
        advanceGeneration(db);
        db.putSync(tokenKey, bytes);
        write();
      });
      db.resetReadTxn();
      track(db);
      token = next;
      return see(db) !== null;
    },
    generation: see,
  };
}
