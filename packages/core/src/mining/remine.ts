import { z } from 'zod';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import type { AccessScope } from '../types.js';
import { parseInput } from '../validate.js';
import { createMiningBatch, type MiningSettings } from './mining-batch.js';
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
  /** The outcome stored when the episode was first mined, `null` for an episode never mined. */
  succeeded: boolean | null;
}

/** Every step of resetting the evidence of the domains in `scope` (all when absent). */
function resetStatements(scope: AccessScope | undefined) {
  const patterns = new SqlFilter().when('support IS NOT NULL').scope('domain', scope);
  const episodes = new SqlFilter().scope('domain', scope);
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
    { sql: `DELETE FROM pattern_baselines WHERE ${episodes.sql}`, args: episodes.args },
    {
      sql: `UPDATE mined_episodes SET pending = 1
            WHERE episode_id IN (SELECT id FROM episodes WHERE ${episodes.sql})`,
      args: episodes.args,
    },
  ];
}

/**
 * Rebuilds every mined pattern of the domains in scope from scratch: evidence, links and
 * baselines are reset, then each finished episode is mined again in bounded batches. Episodes
 * mined before are replayed in their original mining order with their recorded outcome, so the
 * baselines each miner sees, and so the patterns, are the ones incremental mining produced;
 * episodes never mined (finished before the miners were configured) follow, oldest first.
 * Patterns no episode supports any more are deleted; usage feedback of the others is kept.
 */
export async function remine(
  context: EngineContext,
  settings: MiningSettings,
  input: RemineInput,
  scope: AccessScope | undefined,
  changes: PatternChanges,
): Promise<RemineReport> {
  const { batchSize, signal } = parseInput(remineInputSchema, input, 'remine options');
  const started = performance.now();
  const { db } = context;
  await db.write((tx) => tx.batch(resetStatements(scope)));

  let mined = 0;
  const mineBatch = async (queue: Queued[]) => {
    signal?.throwIfAborted();
    const episodes = await readEpisodes(
      db,
      queue.map((item) => item.id),
    );
    const written = await db.write(async (tx) => {
      const batch = createMiningBatch(tx, { ...settings, signal });
      for (const item of queue) {
        const episode = episodes.get(item.id);
        if (episode === undefined) continue; // deleted since it was queued
        await batch.add(episode, item.succeeded ?? episode.status === 'completed');
      }
      mined += batch.mined;
      return (await batch.flush(tx)) ?? [];
    });
    changes.patternsChanged(written);
  };

  // Episodes mined before, in their mining order.
  for (let after = 0; ; ) {
    const rows = await db.read({
      sql: 'SELECT episode_id, seq, succeeded FROM mined_episodes WHERE pending = 1 AND seq > ? ORDER BY seq LIMIT ?',
      args: [after, batchSize],
    });
    if (rows.rows.length === 0) break;
    after = Number(rows.rows.at(-1)?.seq);
    await mineBatch(
      rows.rows.map((row) => ({ id: String(row.episode_id), succeeded: Number(row.succeeded) === 1 })),
    );
  }

  // Finished episodes never mined, oldest first (ids are time-ordered UUIDv7).
  const scoped = new SqlFilter().scope('domain', scope);
  for (let after = ''; ; ) {
    // `+status` keeps the planner on the primary key, so each batch continues where the last one stopped.
    const rows = await db.read({
      sql: `SELECT id FROM episodes WHERE id > ? AND +status IN ('completed', 'failed') AND ${scoped.sql}
            AND NOT EXISTS (SELECT 1 FROM mined_episodes m WHERE m.episode_id = episodes.id)
            ORDER BY id LIMIT ?`,
      args: [after, ...scoped.args, batchSize],
    });
    if (rows.rows.length === 0) break;
    after = String(rows.rows.at(-1)?.id);
    await mineBatch(rows.rows.map((row) => ({ id: String(row.id), succeeded: null })));
  }

  const patterns = new SqlFilter().when('support IS NOT NULL').scope('domain', scope);
  const remaining = await db.write(async (tx) => {
    await tx.execute({
      sql: `DELETE FROM patterns WHERE support = 0 AND ${patterns.sql}`,
      args: patterns.args,
    });
    return tx.execute({
      sql: `SELECT COUNT(*) AS n FROM patterns WHERE ${patterns.sql}`,
      args: patterns.args,
    });
  });
  changes.allPatternsChanged();
  return {
    episodes: mined,
    patterns: Number(remaining.rows[0]?.n ?? 0),
    durationMs: performance.now() - started,
  };
}
