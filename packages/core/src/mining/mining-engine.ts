import type { PatternMinerV1 } from '@episodic/plugin';
import type { InStatement, Transaction } from '@libsql/client';
import type { EngineContext } from '../engine-context.js';
import { EpisodicError } from '../errors.js';
import type { EpisodeLearner } from '../learning/episode-learner.js';
import { maxFailureChars } from '../learning/learning-queue.js';
import type { PartFailures } from '../learning/learning-status.js';
import type { CallOptions, EpisodeWithAllSteps } from '../types.js';
import { parseInput } from '../validate.js';
import type { MinerFailure } from './collect-candidates.js';
import { outcomeSql, readOutcomes } from './episode-outcomes.js';
import { createMiningBatch, type StatementReader, type WrittenPattern } from './mining-batch.js';
import type { PatternChanges } from './pattern-changes.js';
import type { UnmineReport } from './refold-evidence.js';
import {
  miningLearnerName,
  type RemineInput,
  type RemineReport,
  remine,
  remineInputSchema,
} from './remine.js';
import { unmineEpisodes } from './unmine.js';

/**
 * The engine side of mining: a learner that mines queued finished episodes in batches, and
 * `remine()` to rebuild everything. Both go through a mining batch, so they cannot disagree.
 */
export function createMiningEngine(
  context: EngineContext,
  miners: readonly PatternMinerV1[],
  changes: PatternChanges,
) {
  // Closing the store stops miners still running rather than leaving them to write to a closed database.
  const closing = new AbortController();
  const failures = new Map<string, PartFailures>();
  const settings = {
    miners,
    logger: context.config.logger,
    mineTimeoutMs: context.config.learning.mineTimeoutMs,
    signal: closing.signal,
    onMinerFailure: ({ patternType, episodeId, error }: MinerFailure) => {
      const last = { episodeId, error: error.slice(0, maxFailureChars), at: new Date().toISOString() };
      failures.set(patternType, { count: (failures.get(patternType)?.count ?? 0) + 1, last });
    },
  };
  let remining = false;

  const mineInto = async (
    batch: ReturnType<typeof createMiningBatch>,
    reader: StatementReader,
    episodes: readonly EpisodeWithAllSteps[],
  ) => {
    // The outcome, not `status`: an episode archived before it was mined still succeeded or failed.
    const outcomes = await readOutcomes(
      reader,
      episodes.map((episode) => episode.id),
    );
    for (const episode of episodes) {
      const succeeded = outcomes.get(episode.id);
      if (succeeded === undefined) continue;
      await batch.add(episode, succeeded);
      // The miners are synchronous CPU work: let requests in between episodes, not after the batch.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return batch;
  };
  const reader: StatementReader = { execute: (statement: InStatement) => context.db.read(statement) };

  const learner: EpisodeLearner = {
    name: miningLearnerName,
    batchSize: 64,
    // Which miners mine: a process with other miners must not mark episodes mined for these.
    settings: `miners: ${miners
      .map((miner) => miner.patternType)
      .sort()
      .join(', ')}`,
    unlearned: `SELECT e.id FROM episodes e WHERE ${outcomeSql} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM mined_episodes m WHERE m.episode_id = e.id)`,
    partFailures: () => Object.fromEntries(failures),
    async learn(episodes, finish) {
      // The miners run before the write lock is taken; the transaction only checks and stores.
      const outside = await mineInto(createMiningBatch(reader, settings), reader, episodes);
      const written = await context.db.write(async (tx) => {
        const stored =
          (await outside.flush(tx)) ??
          // Another process mined meanwhile: mine again, this time against the transaction.
          ((await (
            await mineInto(createMiningBatch(tx, settings), tx, episodes)
          ).flush(tx)) as WrittenPattern[]);
        await finish(tx);
        return stored;
      });
      if (written.length > 0) await changes.patternsChanged(written);
    },
  };

  return {
    learner,

    /**
     * Rebuilds every mined pattern from scratch, in bounded batches, and reports what it did.
     * With a scope, only the scope's domains are rebuilt (patterns never cross domains). One
     * remine at a time per store; episodes that finish meanwhile are mined as usual.
     */
    async remine(input: RemineInput = {}, options: CallOptions = {}): Promise<RemineReport> {
      const given = parseInput(remineInputSchema, input, 'remine options');
      if (remining) throw new EpisodicError('CONFLICT', 'A remine is already running on this store.');
      remining = true;
      try {
        const signal =
          given.signal === undefined ? closing.signal : AbortSignal.any([given.signal, closing.signal]);
        return await remine(context, { ...settings, signal }, { ...given, signal }, options.scope, changes);
      } finally {
        remining = false;
      }
    },

    /** Takes the episodes a forget is deleting out of the patterns, in its transaction (`unmineEpisodes`). */
    unmine(tx: Transaction): Promise<UnmineReport | null> {
      return unmineEpisodes(tx, context.db, settings);
    },

    close(): void {
      closing.abort(new EpisodicError('STORAGE', 'The store was closed while mining.'));
    },
  };
}

export type MiningEngine = ReturnType<typeof createMiningEngine>;
