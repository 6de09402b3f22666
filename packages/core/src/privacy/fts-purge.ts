import type { Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { allFtsTables } from '../maintenance/fts-tables.js';
import { nowIso } from '../schemas/timestamp.js';

/** Whether text `forget` removed may still sit in the store's files, and when it last did not. */
export interface PurgeState {
  /** When the oldest forget not yet purged committed; `null` when nothing is pending. */
  pendingSince: string | null;
  /** When the last purge finished. */
  lastPurgedAt: string | null;
}

export interface FtsPurge {
  /**
   * Records a pending purge inside the forget's own transaction: it survives a crash. Returns the
   * forget's number in the store's count of forgets, which `settleForget` is given.
   */
  markPending(tx: Transaction): Promise<number>;
  /** Starts a purge soon, unless one is running: that one runs again when it ends. */
  request(): void;
  /** Waits until every forget committed before this call is purged. */
  settle(): Promise<PurgeState>;
  /**
   * `settle` for one forget (`purge: 'wait'`): `'done'` once a run that began after the forget
   * numbered `mark` committed has finished. The store-wide mark may still be set by then: a forget
   * of another caller or process that committed while the run merged is left to the next run, and
   * does not make this one's answer `'pending'`.
   */
  settleForget(mark: number): Promise<'done' | 'pending'>;
  state(): Promise<PurgeState>;
  /** Finishes what is pending (a clean close leaves nothing to purge), then stops. */
  close(): Promise<void>;
}

/** How long to wait before trying again when readers kept the checkpoint from emptying the WAL. */
const retryMs = 200;
/** Tries before a run gives up and leaves the mark for the next forget or open. */
const maxTries = 50;

/** How background purges are spaced out (`nextPurgeGapMs`). */
export interface PurgePacing {
  /** The share of wall time background purges may hold the writer. */
  share: number;
  /** The shortest wait between two background runs: a burst of forgets is purged by one run. */
  minGapMs: number;
  /** The longest: a forget waits at most this long (plus the run under way) for its purge to start. */
  maxGapMs: number;
}

/**
 * A run rewrites every full-text index, so it costs what the whole index costs, whatever the
 * forget removed. Run back to back (the soak forgets one episode every 2 s, and retention every
 * 5 s), the runs held the writer most of the time and every write queued behind them. So after a
 * run that took `d`, the next one waits `d·(1 − share)/share`, within `[minGapMs, maxGapMs]`.
 */
export const defaultPurgePacing: PurgePacing = { share: 0.1, minGapMs: 1_000, maxGapMs: 60_000 };

/** How long after a background run that took `durationMs` the next one may start. */
export function nextPurgeGapMs(durationMs: number, pacing: PurgePacing = defaultPurgePacing): number {
  const gap = (durationMs * (1 - pacing.share)) / pacing.share;
  return Math.min(pacing.maxGapMs, Math.max(pacing.minGapMs, gap));
}

/**
 * The second half of `forget`. Deleting a row leaves its terms in the FTS5 segments (as
 * tombstones beside the old entries) until they are merged, and old page images in the WAL until
 * it is checkpointed and emptied. FTS5's own `secure-delete` would drop them at once, but on
 * libSQL's SQLite 3.45.1 it corrupts an index written from more than one connection (README), so
 * the merge runs here, after the forget has returned: every full-text index merged ('optimize'),
 * then the unused space of every page zeroed (`zeroUnusedSpace`), then the WAL checkpointed and
 * truncated, all beside the serving thread (`maintainAside`: they take seconds in a large store),
 * then the pending mark cleared if no forget came in between.
 * Forgets that arrive while it runs, or before the next may start (`PurgePacing`), are coalesced
 * into the next run. `settle` (forget with `purge: 'wait'`, `admin.purge`) runs at once.
 */
export function createFtsPurge(
  db: Database,
  logger: Logger,
  pacing: PurgePacing = defaultPurgePacing,
  /**
   * Takes the forgotten text out of the cache's files (`Cache.purge`: a new, empty LMDB
   * environment, after the `forgets` counted so far), once per run that finds forgets to purge,
   * not once per forget: replacing the environment costs native memory that a busy server only
   * gets back slowly.
   */
  purgeCache: (forgets: number) => void = () => undefined,
): FtsPurge {
  let running: Promise<number | null> | null = null;
  /** The `requested` count whose forgets the cache was last purged of. */
  let cachePurgedAt: number | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  /** When the next background run may start; the first one starts at once. */
  let notBefore = 0;
  /** Time the current run held the writer (merges and checkpoint) or replaced the cache's files. */
  let busyMs = 0;

  /**
   * The count of forgets whose text is purged once the run ends, or `'busy'`: readers kept the
   * WAL from being emptied.
   */
  async function purgeOnce(): Promise<number | 'busy'> {
    const row = (await db.read('SELECT requested, pending_since FROM fts_purge WHERE id = 1')).rows[0];
    // Read before the merge: a forget committed after this read is merged too, but its count is
    // not this one, so the mark stays below and the next run covers it.
    const requested = Number(row?.requested ?? 0);
    if (row?.pending_since == null) return requested;
    // The merges first: they rebalance pages too. A remote store's files are its server's.
    const { walEmptied, heldMs } = await db.maintainAside([], {
      mergeFts: allFtsTables,
      truncateWal: true,
      zeroUnusedSpace: db.location.kind === 'file',
    });
    // The share is of the time the writer is held: a worker thread's start does not count.
    busyMs += heldMs;
    // Each forget already emptied the cache's keys; this drops the freed pages that held them.
    if (requested !== cachePurgedAt) {
      const began = performance.now();
      purgeCache(requested);
      busyMs += performance.now() - began;
      cachePurgedAt = requested;
    }
    if (!walEmptied) return 'busy';
    await db.write((tx) =>
      tx.execute({
        sql: `UPDATE fts_purge SET pending_since = NULL, last_purged_at = ? WHERE id = 1 AND requested = ?`,
        args: [nowIso(), requested],
      }),
    );
    return requested;
  }

  /** Starts a background run when pacing allows, unless one is running or scheduled. */
  function schedule(): void {
    if (closed || running !== null || timer !== null) return;
    timer = setTimeout(
      () => {
        timer = null;
        void run();
      },
      Math.max(0, notBefore - performance.now()),
    );
  }

  /** Resolves to the count of forgets it purged, `null` when it gave up or failed. */
  function run(): Promise<number | null> {
    running ??= (async () => {
      busyMs = 0;
      try {
        for (let failures = 0; ; ) {
          again = false;
          const outcome = await purgeOnce();
          if (outcome !== 'busy') return outcome;
          if (++failures >= maxTries) {
            logger.warn(
              'episodic: readers kept the WAL from being emptied; the full-text purge stays pending',
            );
            return null;
          }
          await new Promise((resolve) => setTimeout(resolve, retryMs));
        }
      } catch (error) {
        // The mark stays: the next forget, or the next open, tries again.
        logger.warn(`episodic: the full-text purge after forget failed: ${String(error)}`);
        return null;
      } finally {
        // On the monotonic clock: a wall clock set back (an NTP step) held the next purge, and the
        // forgotten text, for as long as the step.
        notBefore = performance.now() + nextPurgeGapMs(busyMs, pacing);
        running = null;
        // Forgets that came in meanwhile: the next run, once the gap has passed.
        if (again) schedule();
      }
    })();
    return running;
  }

  /** A run that begins now: after every forget committed before this call. */
  async function runNow(): Promise<number | null> {
    // A run already under way may have read `requested` before this caller's forget.
    if (running !== null) await running;
    // A run it scheduled, or one waiting for its gap: this one does its work now.
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    return run();
  }

  async function state(): Promise<PurgeState> {
    const rows = await db.read('SELECT pending_since, last_purged_at FROM fts_purge WHERE id = 1');
    const row = rows.rows[0];
    return {
      pendingSince: row?.pending_since == null ? null : String(row.pending_since),
      lastPurgedAt: row?.last_purged_at == null ? null : String(row.last_purged_at),
    };
  }

  return {
    async markPending(tx) {
      const marked = await tx.execute({
        sql: `INSERT INTO fts_purge (id, requested, pending_since) VALUES (1, 1, ?)
          ON CONFLICT (id) DO UPDATE SET requested = requested + 1, pending_since = COALESCE(pending_since, excluded.pending_since)
          RETURNING requested`,
        args: [nowIso()],
      });
      return Number(marked.rows[0]?.requested);
    },
    request() {
      if (running !== null) again = true;
      else schedule();
    },
    async settle() {
      await runNow();
      return state();
    },
    async settleForget(mark) {
      const purged = await runNow();
      return purged !== null && purged >= mark ? 'done' : 'pending';
    },
    state,
    async close() {
      closed = true;
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      if (running !== null) await running;
      if ((await state()).pendingSince !== null) await run();
    },
  };
}
