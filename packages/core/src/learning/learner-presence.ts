import type { Database } from '../db/database.js';
import { nowIso } from '../schemas/timestamp.js';

/** What the store knows of the processes running one learner. */
export interface LearnerPresence {
  /** When a process last said it runs this learner (ISO); `null` if one older than 1.23.0 registered it. */
  seenAt: string | null;
  /** Whether some process's claim to run it has not run out (this process's included). */
  alive: boolean;
}

/** A learner this process claims, with the settings it runs it with (`null`: none that matter). */
export interface LearnerClaim {
  name: string;
  settings: string | null;
  /** What to queue for it when it is registered for the first time (`EpisodeLearner.unlearned`). */
  unlearned?: string | undefined;
}

/** A live claim on a learner, as a renewal found it. */
export interface LiveClaim {
  learner: string;
  process: string;
  /** The settings it runs the learner with; `null` from a process older than 1.25.0, which says none. */
  settings: string | null;
  /** The settings the learner last ran with, as the store recorded them (`null`: none yet). */
  recorded: string | null;
}

/**
 * Which processes run which learners now, so that every process on the store can tell the rows
 * some process will learn from those of a learner nobody runs any more. A process claims its
 * learners (as `owner`) until `aliveMs` from now and renews the claim before then; closing withdraws it, and
 * a killed process's claim runs out on its own, as its leases do.
 */
export function createLearnerPresence(db: Database, owner: string) {
  return {
    /**
     * Registers `learners` (every completion, in any process, then queues work for them) and claims
     * them for this process until `aliveMs` from now, with their settings. A learner registered here
     * for the first time gets the finished episodes it has not learned queued (`unlearned`). Claims
     * that ran out are dropped on the way: killed processes leave theirs. Returns every live claim on
     * them, oldest first per learner (ties broken by process name), an order every process reads alike.
     */
    async renew(learners: readonly LearnerClaim[], aliveMs: number): Promise<LiveClaim[]> {
      if (learners.length === 0) return [];
      const now = nowIso();
      const claims = JSON.stringify(learners.map(({ name, settings }) => ({ name, settings })));
      const results = await db.write(async (tx) => {
        const known = await tx.execute({
          sql: `SELECT name FROM learners WHERE name IN (SELECT value ->> 'name' FROM json_each(?))`,
          args: [claims],
        });
        const registered = new Set(known.rows.map((row) => String(row.name)));
        for (const { name, unlearned } of learners) {
          if (unlearned === undefined || registered.has(name)) continue;
          await tx.execute({
            sql: `INSERT INTO learning_queue (episode_id, learner, enqueued_at, available_at)
                  SELECT id, ?, ?, ? FROM (${unlearned}) WHERE true ON CONFLICT (learner, episode_id) DO NOTHING`,
            args: [name, now, now],
          });
        }
        return tx.batch([
          {
            // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT, not to a join.
            sql: `INSERT INTO learners (name, registered_at, seen_at) SELECT value ->> 'name', ?, ? FROM json_each(?) WHERE true
                  ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at`,
            args: [now, now, claims],
          },
          {
            // `since` is kept from the first claim: the oldest claim decides who learns.
            sql: `INSERT INTO learner_processes (learner, process, alive_until, settings, since)
                  SELECT value ->> 'name', ?, ?, value ->> 'settings', ? FROM json_each(?) WHERE true
                  ON CONFLICT (learner, process) DO UPDATE SET alive_until = excluded.alive_until, settings = excluded.settings`,
            args: [owner, new Date(Date.now() + aliveMs).toISOString(), now, claims],
          },
          { sql: 'DELETE FROM learner_processes WHERE alive_until < ?', args: [now] },
          {
            // A claim of a process older than 1.25.0 has no `since`: it counts as the oldest.
            sql: `SELECT p.learner, p.process, p.settings, l.settings AS recorded
                  FROM learner_processes p JOIN learners l ON l.name = p.learner
                  WHERE p.learner IN (SELECT value ->> 'name' FROM json_each(?))
                  ORDER BY p.learner, p.since IS NOT NULL, p.since, p.process`,
            args: [claims],
          },
        ]);
      });
      return (results[3]?.rows ?? []).map((row) => ({
        learner: String(row.learner),
        process: String(row.process),
        settings: row.settings === null ? null : String(row.settings),
        recorded: row.recorded === null ? null : String(row.recorded),
      }));
    },

    /** Records the settings `learner` runs with now, for the processes that open the store later. */
    async record(learner: string, settings: string): Promise<void> {
      await db.write((tx) =>
        tx.execute({ sql: 'UPDATE learners SET settings = ? WHERE name = ?', args: [settings, learner] }),
      );
    },

    /** Withdraws this process's claims at once, rather than leaving other processes to wait for them to run out. */
    async leave(): Promise<void> {
      await db.write((tx) =>
        tx.execute({ sql: 'DELETE FROM learner_processes WHERE process = ?', args: [owner] }),
      );
    },

    /** Every registered learner, with when it was last run and whether some process runs it now. */
    async read(): Promise<Map<string, LearnerPresence>> {
      const result = await db.read({
        sql: `SELECT name, seen_at,
                EXISTS (SELECT 1 FROM learner_processes p WHERE p.learner = learners.name AND p.alive_until >= ?) AS alive
              FROM learners`,
        args: [nowIso()],
      });
      return new Map(
        result.rows.map((row) => [
          String(row.name),
          {
            seenAt: row.seen_at === null ? null : String(row.seen_at),
            alive: Number(row.alive) === 1,
          },
        ]),
      );
    },
  };
}
