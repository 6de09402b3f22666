import type { InStatement, Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { nowIso } from '../schemas/timestamp.js';

/** One (learner, episode) row a worker holds under its lease. */
export interface ClaimedWork {
  seq: number;
  episodeId: string;
  /** Attempts so far, this one included. */
  attempts: number;
}

/** The newest failure of one learner: enough to tell a provider outage from a bad episode. */
export interface LearningFailure {
  episodeId: string;
  /** The error's message (never its stack), cut to `maxFailureChars`. */
  error: string;
  /** When the row ran out of attempts (ISO). */
  failedAt: string;
}

export interface LearnerQueueStatus {
  pending: number;
  failed: number;
  /** Age of the oldest row still to learn, in seconds; 0 when none. */
  oldestPendingSeconds: number;
  /** The newest of the `failed` rows, `null` when there is none. */
  lastFailure: LearningFailure | null;
}

/** Longest error text `status()` reports: one message, not a dump, for dashboards and clients. */
export const maxFailureChars = 500;

/** Rows of one learner (`?`) that are due (`?`) and not leased (`?`, now). */
const readyRows = `learner = ? AND failed_at IS NULL AND available_at <= ? AND (lease_until IS NULL OR lease_until < ?)`;

const isoAfter = (ms: number): string => new Date(Date.now() + ms).toISOString();

/**
 * Drops the failed rows of `learner` for the episodes `episodeIds` selects (a `SELECT` of one
 * column, or a list of ids), for work that later succeeded another way (a reindex embedded them, a
 * remine mined them): left behind, they would count as failed for ever, and a `retryFailed()`
 * would redo the work.
 */
export function resolveFailedStatement(learner: string, episodeIds: readonly string[] | string): InStatement {
  const select = typeof episodeIds === 'string' ? episodeIds : 'SELECT value FROM json_each(?)';
  return {
    sql: `DELETE FROM learning_queue WHERE learner = ? AND failed_at IS NOT NULL AND episode_id IN (${select})`,
    args: typeof episodeIds === 'string' ? [learner] : [learner, JSON.stringify(episodeIds)],
  };
}

/**
 * The queue rows a finished episode gets, written in the completion's transaction: one per
 * learner this process has and per learner any process registered as running on the store
 * (`learners`), so an episode written by a process that learns nothing is learned by one that does.
 * A registered learner no process runs now still gets its rows: a worker stopped for a while learns
 * everything finished meanwhile when it comes back, and `flush()` does not wait for them.
 */
export function enqueueStatement(episodeId: string, learners: readonly string[]): InStatement {
  const now = nowIso();
  return {
    // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT, not to a join.
    sql: `INSERT INTO learning_queue (episode_id, learner, enqueued_at, available_at)
          SELECT ?, name, ?, ? FROM (SELECT name FROM learners UNION SELECT value FROM json_each(?)) WHERE true
          ON CONFLICT (learner, episode_id) DO UPDATE SET attempts = 0, available_at = excluded.available_at,
            lease_owner = NULL, lease_until = NULL, last_error = NULL, failed_at = NULL`,
    args: [episodeId, now, now, JSON.stringify(learners)],
  };
}

/**
 * The durable queue between completing an episode and learning from it. A claim is a lease:
 * rows stay in the table, marked with the owner and an expiry, until the learner's own
 * transaction deletes them with its results; a process that dies leaves rows whose lease
 * expires, and any other process takes them over.
 */
export function createLearningQueue(db: Database, owner: string) {
  /** The newest failed row of each learner (SQLite takes the bare columns from the `MAX` row). */
  async function lastFailures(): Promise<Map<string, LearningFailure>> {
    const result = await db.read({
      sql: `SELECT learner, episode_id, substr(COALESCE(last_error, ''), 1, ?) AS error, MAX(failed_at) AS failed_at
            FROM learning_queue WHERE failed_at IS NOT NULL GROUP BY learner`,
      args: [maxFailureChars],
    });
    return new Map(
      result.rows.map((row) => [
        String(row.learner),
        { episodeId: String(row.episode_id), error: String(row.error), failedAt: String(row.failed_at) },
      ]),
    );
  }

  return {
    /**
     * Leases up to `limit` ready rows of `learner`, oldest first. A ready row already claimed
     * `maxAttempts` times is marked failed instead: each of its leases ran out before a learner
     * stored what it learned (a process killed or paused on it every time, or a batch that takes
     * longer than the lease while other learners take it over), so claiming it again would loop.
     */
    async claim(
      learner: string,
      limit: number,
      leaseMs: number,
      maxAttempts: number,
    ): Promise<ClaimedWork[]> {
      const now = nowIso();
      // An idle poll is one read: the write lock is taken only when there is work to lease.
      const ready = await db.read({
        sql: `SELECT 1 FROM learning_queue WHERE ${readyRows} LIMIT 1`,
        args: [learner, now, now],
      });
      if (ready.rows.length === 0) return [];
      const result = await db.write(async (tx) => {
        await tx.execute({
          sql: `UPDATE learning_queue SET failed_at = ?, lease_owner = NULL, lease_until = NULL,
                  last_error = 'its lease ran out ' || attempts || ' times before a learner stored what it learned ' ||
                    '(a process killed or paused while learning it, or a batch longer than learning.leaseMs)'
                WHERE ${readyRows} AND attempts >= ?`,
          args: [now, learner, now, now, maxAttempts],
        });
        return tx.execute({
          sql: `UPDATE learning_queue SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
                WHERE seq IN (SELECT seq FROM learning_queue WHERE ${readyRows} ORDER BY seq LIMIT ?)
                RETURNING seq, episode_id, attempts`,
          args: [owner, isoAfter(leaseMs), learner, now, now, limit],
        });
      });
      return result.rows
        .map((row) => ({
          seq: Number(row.seq),
          episodeId: String(row.episode_id),
          attempts: Number(row.attempts),
        }))
        .sort((a, b) => a.seq - b.seq);
    },

    /** Extends the lease on rows still held; returns how many are. */
    async renew(work: readonly ClaimedWork[], leaseMs: number): Promise<number> {
      if (work.length === 0) return 0;
      const result = await db.write((tx) =>
        tx.execute({
          sql: `UPDATE learning_queue SET lease_until = ?
                WHERE lease_owner = ? AND seq IN (${work.map(() => '?').join(', ')})`,
          args: [isoAfter(leaseMs), owner, ...work.map((item) => item.seq)],
        }),
      );
      return result.rowsAffected;
    },

    /**
     * Removes finished rows inside the learner's own transaction, so they go with its results.
     * Returns false when another process has taken the lease over: the caller must roll back.
     */
    async done(tx: Transaction, work: readonly ClaimedWork[]): Promise<boolean> {
      if (work.length === 0) return true;
      const seqs = work.map(() => '?').join(', ');
      await tx.execute({
        sql: `DELETE FROM learning_queue WHERE lease_owner = ? AND seq IN (${seqs})`,
        args: [owner, ...work.map((item) => item.seq)],
      });
      // Rows of episodes deleted meanwhile went with them; any row left is under another's lease.
      const left = await tx.execute({
        sql: `SELECT COUNT(*) AS n FROM learning_queue WHERE seq IN (${seqs})`,
        args: work.map((item) => item.seq),
      });
      return Number(left.rows[0]?.n ?? 0) === 0;
    },

    /**
     * Puts rows back with a delay, or marks them failed once they used up their attempts.
     * `counted: false` gives back the attempt the claim took (the store refused the batch, not
     * the episodes: see the runner), so those rows never run out of attempts that way.
     */
    async retryLater(
      work: readonly ClaimedWork[],
      error: string,
      backoff: (attempts: number) => number | null,
      counted = true,
    ): Promise<void> {
      if (work.length === 0) return;
      const now = nowIso();
      await db.write((tx) =>
        tx.batch(
          work.map((item) => {
            const delay = backoff(item.attempts);
            return {
              sql: `UPDATE learning_queue SET lease_owner = NULL, lease_until = NULL, last_error = ?,
                      available_at = ?, failed_at = ?, attempts = MAX(0, attempts - ?)
                    WHERE seq = ? AND lease_owner = ?`,
              args: [
                error.slice(0, 2000),
                delay === null ? now : isoAfter(delay),
                delay === null ? now : null,
                counted ? 0 : 1,
                item.seq,
                owner,
              ],
            };
          }),
        ),
      );
    },

    /** Gives back every row this process holds, uncounted, so that the next open need not wait for the lease. */
    async release(): Promise<void> {
      await db.write((tx) =>
        tx.execute({
          sql: `UPDATE learning_queue SET lease_owner = NULL, lease_until = NULL, attempts = MAX(0, attempts - 1)
                WHERE lease_owner = ?`,
          args: [owner],
        }),
      );
    },

    /** Makes every failed row of `learners` ready again, with fresh attempts; returns how many. */
    async retryFailed(learners: readonly string[]): Promise<number> {
      if (learners.length === 0) return 0;
      const result = await db.write((tx) =>
        tx.execute({
          sql: `UPDATE learning_queue SET failed_at = NULL, attempts = 0, available_at = ?
                WHERE failed_at IS NOT NULL AND learner IN (${learners.map(() => '?').join(', ')})`,
          args: [nowIso(), ...learners],
        }),
      );
      return result.rowsAffected;
    },

    /** `learners` and every other learner with rows in the queue. */
    async status(learners: readonly string[]): Promise<Map<string, LearnerQueueStatus>> {
      const result = await db.read({
        sql: `SELECT learner, SUM(failed_at IS NULL) AS pending, SUM(failed_at IS NOT NULL) AS failed,
                MIN(CASE WHEN failed_at IS NULL THEN enqueued_at END) AS oldest
              FROM learning_queue GROUP BY learner`,
        args: [],
      });
      const found = new Map(result.rows.map((row) => [String(row.learner), row]));
      // A second read only when something failed: `flush` polls this, and failures are rare.
      const failures = result.rows.some((row) => Number(row.failed) > 0) ? await lastFailures() : new Map();
      const now = Date.now();
      return new Map(
        [...new Set([...learners, ...found.keys()])].map((learner) => {
          const row = found.get(learner);
          const oldest = row?.oldest;
          return [
            learner,
            {
              pending: Number(row?.pending ?? 0),
              failed: Number(row?.failed ?? 0),
              oldestPendingSeconds:
                oldest === null || oldest === undefined
                  ? 0
                  : Math.max(0, (now - Date.parse(String(oldest))) / 1000),
              lastFailure: failures.get(learner) ?? null,
            },
          ];
        }),
      );
    },
  };
}

export type LearningQueue = ReturnType<typeof createLearningQueue>;
