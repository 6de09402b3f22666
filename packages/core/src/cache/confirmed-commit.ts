import { randomBytes, randomUUID } from 'node:crypto';
import { advanceGeneration, type CacheDb } from './lmdb-handle.js';

/**
 * An invalidation that is known to be kept. lmdb-js 3.5 lost commits when several processes
 * committed to one environment at once: in a stress of four processes at a time committing in a
 * tight loop (writable map, no fsync, as the cache runs), 1 of 384,000 commits returned as if
 * written but was missing from the next snapshot; synced commits were not shown to be safer
 * (0 of 144,000). A lost fill costs one miss, but a lost invalidation would leave an entry that
 * the database has changed, so each invalidation also writes a token under this cache's own key
 * and reads it back in a fresh snapshot: a missing token means the whole transaction was lost.
 */
export interface ConfirmedCommits {
  /**
   * Advances the generation, runs `write` in the same transaction and returns whether the
   * commit is visible afterwards. Throws what LMDB throws.
   */
  commit(db: CacheDb, write: () => void): boolean;
  /** Removes this cache's token key from `db` (at close: one key per cache instance otherwise piles up). */
  forget(db: CacheDb): void;
}

export function confirmedCommits(): ConfirmedCommits {
  // Per instance, not per environment: another store's later commit must not pass for ours.
  const tokenKey = `meta:confirm:${randomUUID()}`;
  const written = new Set<CacheDb>();
  return {
    commit(db, write) {
      const token = randomBytes(8);
      db.transactionSync(() => {
        advanceGeneration(db);
        db.putSync(tokenKey, token);
        write();
      });
      written.add(db);
      db.resetReadTxn();
      // `getBinary`, not `getBinaryFast`: the shared buffer the latter returns never `equals` another.
      return db.getBinary(tokenKey)?.equals(token) === true;
    },
    forget(db) {
      if (!written.delete(db)) return;
      try {
        db.transactionSync(() => db.removeSync(tokenKey));
      } catch {
        // A leftover token is a few bytes that nothing reads; the folder goes at the next boot.
      }
    },
  };
}
