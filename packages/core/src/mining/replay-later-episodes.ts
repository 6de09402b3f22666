import type { InStatement, Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import { nowIso } from '../schemas/timestamp.js';
import type { EpisodeWithAllSteps } from '../types.js';
import type { BaselineRows } from './baseline-rows.js';
import { chunks } from './chunks.js';
import { collectCandidates, identityColumns } from './collect-candidates.js';
import { historyChanges, type MeasuredEpisode } from './history-walk.js';
import { measuredColumns, measuredEpisode } from './measured-episodes.js';
import type { MiningSettings } from './mining-batch.js';
import { type Link, linkContribution, linkInsert } from './pattern-links.js';

interface LaterEpisode extends MeasuredEpisode {
  id: string;
}

type OldLinks = Map<string, Map<string, { type: string; success: boolean; measurements: string | null }>>;

/** The stored links of these episodes to patterns of these types: what they contributed when mined. */
async function oldLinks(tx: Transaction, ids: readonly string[], types: readonly string[]) {
  const links: OldLinks = new Map();
  for (const part of chunks(ids, 200)) {
    const rows = await tx.execute({
      sql: `SELECT l.episode_id, l.pattern_id, p.pattern_type, l.success, l.measurements
            FROM episode_patterns l JOIN patterns p ON p.id = l.pattern_id
            WHERE l.episode_id IN (${part.map(() => '?').join(', ')})
              AND p.pattern_type IN (${types.map(() => '?').join(', ')})`,
      args: [...part, ...types],
    });
    for (const row of rows.rows) {
      const episodeId = String(row.episode_id);
      const byPattern = links.get(episodeId) ?? new Map();
      byPattern.set(String(row.pattern_id), {
        type: String(row.pattern_type),
        success: Number(row.success) === 1,
        measurements: row.measurements === null ? null : String(row.measurements),
      });
      links.set(episodeId, byPattern);
    }
  }
  return links;
}

/**
 * The episodes of a domain (of some of its task types, when `types` counts them) mined after a
 * sequence number, found as ranges of `idx_mined_episodes_scope`: the rows read are those
 * episodes, not every episode mined since. Exported so a test can check the plan.
 */
export function laterEpisodesSql(excluded: string, types: number | null): string {
  return `SELECT m.episode_id, ${measuredColumns} FROM mined_episodes m INDEXED BY idx_mined_episodes_scope
    WHERE m.domain = ? ${types === null ? '' : `AND m.task_type IN (${Array(types).fill('?').join(', ')})`}
      AND m.seq > ? AND m.episode_id NOT IN (SELECT id FROM temp.${excluded})
    ORDER BY m.seq`;
}

/**
 * Mines again the episodes of `domain` mined after the first forgotten one whose history, as some
 * miner reads it, no longer counts the forgotten episodes (`historyChanges`), with just those
 * miners. Rewrites the links whose contribution changed and returns the patterns concerned.
 * `baselines` hold the final state (forgotten episodes removed) and are left as they were found.
 */
export async function replayLaterEpisodes(
  tx: Transaction,
  db: Database,
  settings: MiningSettings,
  baselines: BaselineRows,
  domain: string,
  forgotten: readonly MeasuredEpisode[],
  excluded: string,
): Promise<Set<string>> {
  const readers = settings.miners.filter((miner) => (miner.history ?? 'domain') !== 'none');
  const touched = new Set<string>();
  if (readers.length === 0) return touched;
  const readsDomain = readers.some((miner) => (miner.history ?? 'domain') === 'domain');
  const types = [...new Set(forgotten.map((episode) => episode.taskType))];
  const first = Math.min(...forgotten.map((episode) => episode.seq));
  const later: LaterEpisode[] = (
    await tx.execute({
      sql: laterEpisodesSql(excluded, readsDomain ? null : types.length),
      args: [domain, ...(readsDomain ? [] : types), first],
    })
  ).rows.map((row) => ({ id: String(row.episode_id), ...measuredEpisode(row) }));

  const replays = await historyChanges(baselines, domain, readers, later, forgotten);
  if (replays.length === 0) return touched;
  const ids = replays.map((replay) => replay.episode.id);
  const stored = await oldLinks(
    tx,
    ids,
    [...new Set(replays.flatMap((replay) => replay.miners))].map((miner) => miner.patternType),
  );
  const now = nowIso();
  const statements: InStatement[] = [];
  for (const part of chunks(replays, 500)) {
    const episodes = await readEpisodes(
      db,
      part.map((replay) => replay.episode.id),
    );
    for (const { episode: item, miners, history } of part) {
      const episode = episodes.get(item.id) as EpisodeWithAllSteps;
      const candidates = await collectCandidates(
        miners,
        { episode, succeeded: item.succeeded, history, signal: settings.signal },
        settings,
      );
      const mined = new Set(miners.map((miner) => miner.patternType));
      const before = new Map(
        [...(stored.get(item.id) ?? new Map())].filter(([, link]) => mined.has(link.type)),
      );
      const after: Link[] = candidates.map((candidate) => ({
        episodeId: item.id,
        patternId: candidate.id,
        ...linkContribution(candidate),
      }));
      const same =
        after.length === before.size &&
        after.every((link) => {
          const old = before.get(link.patternId);
          return old?.success === link.success && old.measurements === link.measurements;
        });
      if (same) continue;
      for (const id of before.keys()) touched.add(id);
      for (const link of after) touched.add(link.patternId);
      if (before.size > 0) {
        statements.push({
          sql: `DELETE FROM episode_patterns WHERE episode_id = ? AND pattern_id IN (${[...before.keys()].map(() => '?').join(', ')})`,
          args: [item.id, ...before.keys()],
        });
      }
      // A pattern first found now gets its row; its evidence is folded with the others' below.
      for (const candidate of candidates) {
        statements.push({
          sql: `INSERT INTO patterns (id, pattern_type, domain, task_type, pattern_data, summary, success_rate,
                  usage_count, created_at, support, successes, wilson_lower, score, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, 0, 0, 0, 0, ?) ON CONFLICT (id) DO NOTHING`,
          args: [...identityColumns(candidate, domain), now, now],
        });
      }
      if (after.length > 0) statements.push(linkInsert('episode_patterns', after, now));
    }
  }
  if (statements.length > 0) await tx.batch(statements);
  return touched;
}
