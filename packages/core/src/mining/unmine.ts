import { removeEpisodeFromStats } from '@episodic/plugin';
import type { Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { baselineRows } from './baseline-rows.js';
import type { MeasuredEpisode } from './history-walk.js';
import { measuredColumns, measuredEpisode } from './measured-episodes.js';
import { type MiningSettings, wholeDomain } from './mining-batch.js';
import { contributionsOf, refoldEvidence, type UnmineReport } from './refold-evidence.js';
import { replayLaterEpisodes } from './replay-later-episodes.js';

interface Gone extends MeasuredEpisode {
  id: string;
  domain: string;
}

/** The temporary table, in the forget's transaction, that lists the episodes being forgotten. */
export const forgetEpisodesTable = 'forget_episodes';

async function goneEpisodes(tx: Transaction): Promise<Gone[]> {
  const rows = await tx.execute(`SELECT m.episode_id, e.domain, ${measuredColumns}
    FROM temp.${forgetEpisodesTable} f CROSS JOIN mined_episodes m ON m.episode_id = f.id
    CROSS JOIN episodes e ON e.id = f.id
    ORDER BY m.seq`);
  return rows.rows.map((row) => ({
    id: String(row.episode_id),
    domain: String(row.domain),
    ...measuredEpisode(row),
  }));
}

/**
 * What the links of the episodes listed in `temp.{table}` contributed, by pattern, grouped. The
 * index is named: on a store of few links an analyzed planner would scan them all instead.
 */
export const forgottenContributionsSql = (table: string) =>
  `SELECT pattern_id, success, measurements, COUNT(*) AS times
   FROM episode_patterns INDEXED BY idx_episode_patterns_episode WHERE episode_id IN (SELECT id FROM temp.${table}) GROUP BY pattern_id, success, measurements`;

/** Those contributions, by pattern: few rows, read through the links' episode index. */
export async function forgottenContributions(tx: Transaction, table: string) {
  return contributionsOf((await tx.execute(forgottenContributionsSql(table))).rows);
}

/**
 * Takes the episodes listed in `temp.forget_episodes` out of the mined patterns, inside the
 * transaction that will delete them, so that what remains equals a `remine()` of the episodes
 * that remain: the baselines lose their measures, the episodes of their domain mined after them
 * are mined again with the miners that read history (see `PatternMinerV1.history`), and the
 * evidence of every pattern they or those touched is recomputed: the forgotten episodes'
 * contributions subtracted where that is exact (`subtractEvidence`), else folded again from the
 * remaining links. The work is bounded by those patterns' links and the later episodes of the
 * task type (the domain, for a miner that reads it), never by the store. `null` (nothing written) when a link written
 * before schema 1.11.0, which holds no contribution, belongs to one of the domains: the caller
 * then re-mines those domains.
 */
export async function unmineEpisodes(
  tx: Transaction,
  db: Database,
  settings: MiningSettings,
): Promise<UnmineReport | null> {
  const gone = await goneEpisodes(tx);
  if (gone.length === 0) return { changed: [], removed: 0 };
  const domains = [...new Set(gone.map((episode) => episode.domain))];
  const legacy = await tx.execute({
    // Only the links without a contribution are read: none, once every domain was mined since 1.11.0.
    sql: `SELECT 1 FROM episode_patterns l INDEXED BY idx_episode_patterns_without_contribution
          CROSS JOIN patterns p ON p.id = l.pattern_id
          WHERE l.success IS NULL AND p.domain IN (${domains.map(() => '?').join(', ')}) LIMIT 1`,
    args: domains,
  });
  if (legacy.rows.length > 0) return null;

  const baselines = baselineRows(tx);
  for (const episode of gone) {
    for (const type of [episode.taskType, wholeDomain]) {
      const stats = await baselines.get(episode.domain, type);
      baselines.set(episode.domain, type, removeEpisodeFromStats(stats, episode.measures, episode.succeeded));
    }
  }
  const removed = await forgottenContributions(tx, forgetEpisodesTable);
  const affected = new Set(removed.keys());
  for (const domain of domains) {
    const replayed = await replayLaterEpisodes(
      tx,
      db,
      settings,
      baselines,
      domain,
      gone.filter((episode) => episode.domain === domain),
      forgetEpisodesTable,
    );
    for (const id of replayed) {
      affected.add(id);
      // Its links changed beyond the forgotten episodes' own: folded again from them.
      removed.delete(id);
    }
  }
  const report = await refoldEvidence(tx, [...affected], forgetEpisodesTable, removed);
  const statements = baselines.statements();
  if (statements.length > 0) await tx.batch(statements);
  return report;
}
