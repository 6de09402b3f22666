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
  /** Records a pending purge inside the forget's own transaction: it survives a crash. */
  markPending(tx: Transaction): Promise<void>;
  /** Starts a purge soon, unless one is running: that one runs again when it ends. */
  request(): void;
  /** Waits until every forget committed before this call is purged. */
  settle(): Promise<PurgeState>;
  state(): Promise<PurgeState>;
  /** Finishes what is pending (a clean close leaves nothing to purge), then stops. */
  close(): Promise<void>;
}

/** How long to wait before trying again when readers kept the checkpoint from emptying the WAL. */
const retryMs = 200;
/** Tries before a run gives up and leaves the mark for the next forget or open. */
const maxTries = 50;

/**
 * The second half of `forget`. Deleting a row leaves its terms in the FTS5 segments (as
 * tombstones beside the old entries) until they are merged, and old page images in the WAL until
 * it is checkpointed and emptied. FTS5's own `secure-delete` would drop them at once, but on
 * libSQL's SQLite 3.45.1 it corrupts an index written from more than one connection (README), so
 * the merge runs here, after the forget has returned: every full-text index merged ('optimize'),
 * then the WAL checkpointed and truncated, then the pending mark cleared if no forget came in
 * between. Forgets that arrive while it runs are coalesced into the next run.
 */
export function createFtsPurge(db: Database, logger: Logger): FtsPurge {
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  async function purgeOnce(): Promise<boolean> {
    const requested = await db.write(async (tx) => {
      const row = await tx.execute('SELECT requested, pending_since FROM fts_purge WHERE id = 1');
      if (row.rows[0]?.pending_since == null) return null;
      for (const table of allFtsTables)
        await tx.execute(`INSERT INTO ${table} (${table}) VALUES ('optimize')`);
      return Number(row.rows[0]?.requested ?? 0);
    });
    if (requested === null) return true;
    if (db.location.kind === 'file') {
      const result = await db.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)');
      // busy = 1: a reader kept old frames in use, so the WAL was not emptied.
      if (Number(result.rows[0]?.[0] ?? 0) !== 0) return false;
    }
    await db.write((tx) =>
      tx.execute({
        sql: `UPDATE fts_purge SET pending_since = NULL, last_purged_at = ? WHERE id = 1 AND requested = ?`,
        args: [nowIso(), requested],
      }),
    );
    return true;
  }

  function run(): Promise<void> {
    running ??= (async () => {
      try {
        for (let failures = 0; ; ) {
          again = false;
          if (await purgeOnce()) {
            if (!again) return;
          } else if (++failures >= maxTries) {
            logger.warn(
              'episodic: readers kept the WAL from being emptied; the full-text purge stays pending',
            );
            return;
          } else {
            await new Promise((resolve) => setTimeout(resolve, retryMs));
          }
        }
      } catch (error) {
        // The mark stays: the next forget, or the next open, tries again.
        logger.warn(`episodic: the full-text purge after forget failed: ${String(error)}`);
      } finally {
        running = null;
      }
    })();
    return running;
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
      await tx.execute({
        sql: `INSERT INTO fts_purge (id, requested, pending_since) VALUES (1, 1, ?)
          ON CONFLICT (id) DO UPDATE SET requested = requested + 1, pending_since = COALESCE(pending_since, excluded.pending_since)`,
        args: [nowIso()],
      });
    },
    request() {
      if (closed) return;
      if (running !== null) {
        again = true;
        return;
      }
      timer ??= setTimeout(() => {
        timer = null;
        void run();
      }, 0);
    },
    async settle() {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      // A run already under way may have read `requested` before this caller's forget.
      if (running !== null) await running;
      await run();
      return state();
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
