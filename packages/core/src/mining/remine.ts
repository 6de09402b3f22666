import type { InStatement, Transaction } from '@libsql/client';
import { z } from 'zod';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import { EpisodicError } from '../errors.js';
import { resolveFailedStatement } from '../learning/learning-queue.js';
import { recountUsage } from '../patterns/recount-usage.js';
import type { AccessScope } from '../types.js';
import { parseInput } from '../validate.js';
import { outcomeSql } from './episode-outcomes.js';
import { createMiningBatch, type MiningSettings, type MiningTables } from './mining-batch.js';
import type { PatternChanges } from './pattern-changes.js';

export const remineInputSchema = z.strictObject({
  /** Episodes mined per write transaction: how long `remine()` holds the write lock at a time. */
  batchSize: z.number().int().min(1).max(2000).default(200),
  /** Cancels between batches (and inside miners that check it); rerun `remine()` to finish. */
  signal: z.instanceof(AbortSignal).optional(),
});
export type RemineInput = z.input<typeof remineInputSchema>;

export interface RemineReport {
  /** Episodes mined. */
  episodes: number;
  /** Mined patterns stored afterwards, in the domains remined. */
  patterns: number;
  durationMs: number;
}

interface Queued {
  id: string;
  /** The outcome stored when the episode was first mined, else the one it finished with. */
  succeeded: boolean;
}

/** The shadow tables a remine mines into; the live ones change only in the final swap. */
const shadow: MiningTables = {
  patterns: 'remine_patterns',
  links: 'remine_episode_patterns',
  baselines: 'remine_baselines',
  mined: 'remine_mined',
};

/** The shadow's table names: data of no use outside a running remine (`rekey` leaves them out). */
export const remineShadowTables: readonly string[] = Object.values(shadow);

const dropShadow = remineShadowTables.map((table) => `DROP TABLE IF EXISTS ${table}`);

/** Dropped first: a remine killed before its swap leaves them behind, and they are worth nothing. */
const createShadow = [
  ...dropShadow,
  `CREATE TABLE ${shadow.patterns} (id TEXT PRIMARY KEY, pattern_type TEXT, domain TEXT, task_type TEXT,
    pattern_data TEXT, summary TEXT, success_rate REAL, usage_count INTEGER, helped_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT, support INTEGER, successes INTEGER, wilson_lower REAL, score REAL, measurements TEXT, order_free INTEGER,
    updated_at TEXT)`,
  `CREATE TABLE ${shadow.links} (episode_id TEXT, pattern_id TEXT, created_at TEXT, success INTEGER,
    measurements TEXT, PRIMARY KEY (episode_id, pattern_id)) WITHOUT ROWID`,
  `CREATE TABLE ${shadow.baselines} (domain TEXT, task_type TEXT, stats TEXT, PRIMARY KEY (domain, task_type)) WITHOUT ROWID`,
  `CREATE TABLE ${shadow.mined} (episode_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, succeeded INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0, domain TEXT, task_type TEXT, steps INTEGER, duration_ms INTEGER)`,
  `CREATE UNIQUE INDEX ${shadow.mined}_seq ON ${shadow.mined} (seq)`,
];

async function shadowTablesPresent(tx: Transaction): Promise<number> {
  const marks = remineShadowTables.map(() => '?').join(', ');
  const rows = await tx.execute({
    sql: `SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (${marks})`,
    args: [...remineShadowTables],
  });
  return Number(rows.rows[0]?.n ?? 0);
}

/**
 * Drops a remine's shadow, in a forget's transaction: what a remine mined from the episodes being
 * forgotten is there (their error text in patterns' summaries), left by a remine killed before its
 * swap, which the forget's purge would otherwise leave in the file; and a remine still running
 * would swap in the patterns of episodes gone. That remine finds its shadow gone at its next write
 * and starts again.
 */
export async function dropRemineShadow(tx: Transaction): Promise<void> {
  if ((await shadowTablesPresent(tx)) === 0) return;
  for (const statement of dropShadow) await tx.execute(statement);
}

/** Runs of a remine a forget may interrupt before it gives up (each forget drops its shadow). */
const remineAttempts = 3;

/** The mining learner's name in the learning queue (`mining-engine.ts` gives it its learner). */
export const miningLearnerName = 'mining';

/** Replaces the evidence of the domains in `scope` (all when absent) with the shadow's, in one transaction. */
function swapStatements(scope: AccessScope | undefined): InStatement[] {
  const patterns = new SqlFilter().when('support IS NOT NULL').scope('domain', scope);
  const episodes = new SqlFilter().scope('domain', scope);
  const evidence =
    'support, successes, success_rate, wilson_lower, score, measurements, order_free, updated_at';
  return [
    {
      sql: `DELETE FROM episode_patterns WHERE pattern_id IN (SELECT id FROM patterns WHERE ${patterns.sql})`,
      args: patterns.args,
    },
    {
      sql: `UPDATE patterns SET support = 0, successes = 0, success_rate = 0, wilson_lower = 0, score = 0,
              measurements = NULL WHERE ${patterns.sql}`,
      args: patterns.args,
    },
    `INSERT INTO patterns (id, pattern_type, domain, task_type, pattern_data, summary, usage_count, created_at, ${evidence})
       SELECT id, pattern_type, domain, task_type, pattern_data, summary, 0, created_at, ${evidence}
       FROM ${shadow.patterns} WHERE true
       ON CONFLICT (id) DO UPDATE SET ${evidence
         .split(', ')
         .map((column) => `${column} = excluded.${column}`)
         .join(', ')}`,
    `INSERT OR IGNORE INTO episode_patterns (episode_id, pattern_id, created_at, success, measurements)
       SELECT episode_id, pattern_id, created_at, success, measurements FROM ${shadow.links}
       WHERE episode_id IN (SELECT id FROM episodes)`,
    { sql: `DELETE FROM pattern_baselines WHERE ${episodes.sql}`, args: episodes.args },
    `INSERT INTO pattern_baselines (domain, task_type, stats) SELECT domain, task_type, stats FROM ${shadow.baselines}`,
    // New sequence numbers above every existing one, so the unique index holds row by row. Added
    // as the rows are copied: shifted in place first, the shadow's own unique index refused a row
    // moved onto a number another row still held (a store with unmined history: UNIQUE failed).
    `INSERT INTO mined_episodes (episode_id, seq, succeeded, pending, domain, task_type, steps, duration_ms)
       SELECT episode_id, seq + (SELECT COALESCE(MAX(seq), 0) FROM mined_episodes), succeeded, 0, domain,
         task_type, steps, duration_ms FROM ${shadow.mined}
       WHERE episode_id IN (SELECT id FROM episodes)
       ON CONFLICT (episode_id) DO UPDATE SET seq = excluded.seq, succeeded = excluded.succeeded, pending = 0,
      domain = excluded.domain, task_type = excluded.task_type, steps = excluded.steps,
      duration_ms = excluded.duration_ms`,
    { sql: `DELETE FROM patterns WHERE support = 0 AND ${patterns.sql}`, args: patterns.args },
    // Mining rows that had failed for episodes now mined are done: left, they would count as
    // failed for ever, and a retryFailed() would mine those episodes a second time.
    resolveFailedStatement(miningLearnerName, `SELECT episode_id FROM ${shadow.mined}`),
  ];
}

/**
 * Patterns given usage feedback after the shadow copied their row: the score swapped in was
 * reckoned without it, so it is counted again (`recountUsage`) before the shadow goes.
 */
const usedMeanwhile = `SELECT p.id FROM patterns p JOIN ${shadow.patterns} s ON s.id = p.id
  WHERE p.usage_count != s.usage_count OR p.helped_count != s.helped_count`;

/**
 * Rebuilds every mined pattern of the domains in scope from scratch, atomically: each finished
 * episode is mined again, in bounded batches, into shadow tables, and one last transaction swaps
 * the result in. Until then the live patterns are untouched, so a cancel, a crash or a close
 * leaves them as they were. Episodes mined before are replayed in their original mining order
 * with their recorded outcome, so the baselines each miner sees, and so the patterns, are the
 * ones incremental mining produced; episodes never mined (finished before the miners were
 * configured) follow, oldest first; episodes the learners mined meanwhile are replayed inside
 * the swap. Patterns no episode supports any more are deleted; usage feedback of the others is kept.
 */
export async function remine(
  context: EngineContext,
  settings: MiningSettings,
  input: RemineInput,
  scope: AccessScope | undefined,
  changes: PatternChanges,
): Promise<RemineReport> {
  const options = parseInput(remineInputSchema, input, 'remine options');
  const started = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    const run = await remineOnce(context, settings, options, scope);
    if (run !== 'forgotten') {
      await changes.allPatternsChanged();
      return { ...run, durationMs: performance.now() - started };
    }
    if (attempt === remineAttempts)
      throw new EpisodicError(
        'CONFLICT',
        `Episodes were forgotten while the remine ran, ${remineAttempts} times over: it stopped, and the patterns are as they were. Run it again when fewer forgets run.`,
      );
    // A remine of a large store takes minutes: an operator watching it should know why it takes longer.
    context.config.logger.warn(
      `episodic: episodes were forgotten while the remine ran: it starts again, so that nothing they gave is kept (run ${attempt + 1} of at most ${remineAttempts})`,
    );
  }
}

/**
 * One run of `remine`: its report, or `'forgotten'` when a forget dropped the shadow meanwhile
 * (`dropRemineShadow`): what it mined may hold the forgotten episodes, so it starts again.
 */
async function remineOnce(
  context: EngineContext,
  settings: MiningSettings,
  { batchSize, signal }: z.output<typeof remineInputSchema>,
  scope: AccessScope | undefined,
): Promise<Omit<RemineReport, 'durationMs'> | 'forgotten'> {
  const { db } = context;
  const scoped = new SqlFilter().scope('e.domain', scope);
  const lastSeq = await db.write(async (tx) => {
    for (const statement of createShadow) await tx.execute(statement);
    return Number(
      (await tx.execute('SELECT COALESCE(MAX(seq), 0) AS n FROM mined_episodes')).rows[0]?.n ?? 0,
    );
  });

  let mined = 0;
  let forgotten = false;
  /** Every write into the shadow checks first that no forget dropped it. */
  const shadowKept = async (tx: Transaction) => {
    if ((await shadowTablesPresent(tx)) === remineShadowTables.length) return;
    forgotten = true;
    throw new EpisodicError('CONFLICT', 'A forget dropped the remine shadow.');
  };
  const mineInto = async (tx: Transaction, queue: readonly Queued[]) => {
    await shadowKept(tx);
    const episodes = await readEpisodes(
      db,
      queue.map((item) => item.id),
    );
    const batch = createMiningBatch(tx, { ...settings, signal }, shadow);
    for (const item of queue) {
      const episode = episodes.get(item.id);
      if (episode === undefined) continue; // deleted since it was queued
      await batch.add(episode, item.succeeded);
    }
    mined += batch.mined;
    await batch.flush(tx);
  };
  const minedBefore = (after: number, upTo: number, limit: number): InStatement => ({
    sql: `SELECT m.episode_id, m.seq, m.succeeded FROM mined_episodes m JOIN episodes e ON e.id = m.episode_id
          WHERE m.seq > ? AND m.seq <= ? AND ${scoped.sql} ORDER BY m.seq LIMIT ?`,
    args: [after, upTo, ...scoped.args, limit],
  });
  const asQueued = (rows: readonly Record<string, unknown>[]) =>
    rows.map((row) => ({ id: String(row.episode_id), succeeded: Number(row.succeeded) === 1 }));

  try {
    // Episodes mined before, in their mining order.
    for (let after = 0; ; ) {
      const rows = (await db.read(minedBefore(after, lastSeq, batchSize))).rows;
      if (rows.length === 0) break;
      after = Number(rows.at(-1)?.seq);
      signal?.throwIfAborted();
      await db.write((tx) => mineInto(tx, asQueued(rows)));
    }

    // Finished episodes never mined, oldest first (ids are time-ordered UUIDv7).
    for (let after = ''; ; ) {
      // Every finished episode, archived ones included (`outcome` is kept when `status` becomes archived).
      const rows = await db.read({
        sql: `SELECT e.id, ${outcomeSql} AS outcome FROM episodes e WHERE e.id > ? AND ${outcomeSql} IS NOT NULL AND ${scoped.sql}
              AND NOT EXISTS (SELECT 1 FROM mined_episodes m WHERE m.episode_id = e.id)
              ORDER BY e.id LIMIT ?`,
        args: [after, ...scoped.args, batchSize],
      });
      if (rows.rows.length === 0) break;
      after = String(rows.rows.at(-1)?.id);
      signal?.throwIfAborted();
      await db.write((tx) =>
        mineInto(
          tx,
          rows.rows.map((row) => ({ id: String(row.id), succeeded: row.outcome === 'completed' })),
        ),
      );
    }

    signal?.throwIfAborted();
    const patterns = new SqlFilter().when('support IS NOT NULL').scope('domain', scope);
    const remaining = await db.write(async (tx) => {
      await shadowKept(tx);
      // Episodes the learners mined since the remine started join the shadow in their order.
      for (let after = lastSeq; ; ) {
        const rows = (await tx.execute(minedBefore(after, Number.MAX_SAFE_INTEGER, batchSize))).rows;
        if (rows.length === 0) break;
        after = Number(rows.at(-1)?.seq);
        await mineInto(tx, asQueued(rows));
      }
      for (const statement of swapStatements(scope)) await tx.execute(statement);
      for (const row of (await tx.execute(usedMeanwhile)).rows) await recountUsage(tx, String(row.id));
      for (const statement of dropShadow) await tx.execute(statement);
      return tx.execute({
        sql: `SELECT COUNT(*) AS n FROM patterns WHERE ${patterns.sql}`,
        args: patterns.args,
      });
    });
    return { episodes: mined, patterns: Number(remaining.rows[0]?.n ?? 0) };
  } catch (error) {
    if (forgotten) return 'forgotten';
    // The live tables were never touched; the shadow is only litter.
    await db
      .write(async (tx) => {
        for (const statement of dropShadow) await tx.execute(statement);
      })
      .catch(() => undefined);
    // A cancel midway surfaces inside a write, which reports it as a storage failure: the caller
    // gets the signal's reason, as when the signal was aborted before the remine started.
    throw signal?.aborted === true ? signal.reason : error;
  }
}
