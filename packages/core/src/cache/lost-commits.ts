import { randomBytes, randomUUID } from 'node:crypto';
import { advanceGeneration, type CacheDb, readGeneration } from './lmdb-handle.js';

/**
 * Catches commits lmdb-js loses. lmdb-js 3.5 loses commits when several processes commit to one
 * environment at once: four processes at a time filling, invalidating and reading back their own
 * keys in a tight loop (writable map, no fsync, as the cache runs) lost about one commit in
 * 300,000. Some are missing from the very next snapshot; others are undone later, when another
 * process commits on top of a state from before them. A lost fill costs a miss, but a lost
 * invalidation leaves an entry the database has changed. So:
 * - each invalidation writes a token under this cache's own key and reads it back in a fresh
 *   snapshot: a missing token means the transaction was lost;
 * - the generation only grows (each invalidation adds a random step), so a snapshot whose
 *   generation is below one this process has seen was built on an undone state.
 * The caller fails the cache on either (its folder is replaced: every process starts empty).
 * Not caught at once: until a process that saw an invalidation reads again (and fails the
 * cache), a process that last read before it cannot tell it undone (by a fill, or by an
 * invalidation with a larger step) from never made, and serves the entry again.
 */
export interface LostCommits {
  /**
   * Advances the generation, runs `write` in the same transaction and returns whether the
   * commit is in the next snapshot. Throws what LMDB throws.
   */
  commit(db: CacheDb, write: () => void): boolean;
  /** The current snapshot's generation, or null when it is below one seen before in `db`. */
  generation(db: CacheDb): number | null;
  /** Removes this cache's token key from `db` (at close: one key per cache instance otherwise piles up). */
  forget(db: CacheDb): void;
}

export function lostCommits(): LostCommits {
  // Per instance, not per environment: another store's later commit must not pass for ours.
  const tokenKey = `meta:confirm:${randomUUID()}`;
  // The environment our token is in, and the highest generation seen there. Only the last one:
  // an earlier environment was replaced, folder and all, and a new one starts anywhere.
  let seenIn: CacheDb | null = null;
  let highest = -Infinity;
  let tokenWritten = false;

  const see = (db: CacheDb, generation: number): number | null => {
    if (seenIn !== db) {
      seenIn = db;
      highest = -Infinity;
      tokenWritten = false;
    }
    if (generation < highest) return null;
    highest = generation;
    return generation;
  };

  return {
    commit(db, write) {
      const token = randomBytes(8);
      db.transactionSync(() => {
        advanceGeneration(db);
        db.putSync(tokenKey, token);
        write();
      });
      db.resetReadTxn();
      // `getBinary`, not `getBinaryFast`: the shared buffer the latter returns never `equals` another.
      const kept = db.getBinary(tokenKey)?.equals(token) === true;
      const generation = see(db, readGeneration(db));
      tokenWritten = true;
      return kept && generation !== null;
    },
    generation: (db) => see(db, readGeneration(db)),
    forget(db) {
      if (seenIn !== db || !tokenWritten) return;
      tokenWritten = false;
      try {
        db.transactionSync(() => db.removeSync(tokenKey));
      } catch {
        // A leftover token is a few bytes that nothing reads; the folder goes at the next boot.
      }
    },
  };
}
