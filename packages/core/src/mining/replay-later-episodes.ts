import {
  addEpisodeToStats,
  type BaselineStats,
  type EpisodeMeasures,
  measureEpisode,
  removeEpisodeFromStats,
  toBaseline,
} from '@episodic/plugin';
import type { InStatement, Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import { nowIso } from '../schemas/timestamp.js';
import type { EpisodeWithSteps } from '../types.js';
import { type BaselineRows, baselineKey } from './baseline-rows.js';
import { chunks } from './chunks.js';
import { collectCandidates, identityColumns } from './collect-candidates.js';
import { type MiningSettings, wholeDomain } from './mining-batch.js';
import { type Link, linkContribution, linkInsert } from './pattern-links.js';

/**
 * Mines again, with the miners that read history, the episodes of `domain` mined after the first
 * forgotten one: their history no longer counts the forgotten episodes. Rewrites the links whose
 * contribution changed and returns the patterns concerned. `baselines` hold the final state
 * (forgotten episodes removed) and are left as they were found.
 */
export async function replayLaterEpisodes(
  tx: Transaction,
  db: Database,
  settings: MiningSettings,
  baselines: BaselineRows,
  domain: string,
  gone: readonly { seq: number; taskType: string }[],
  excluded: string,
): Promise<Set<string>> {
  const readers = settings.miners.filter((miner) => (miner.history ?? 'domain') !== 'none');
  const touched = new Set<string>();
  if (readers.length === 0) return touched;
  const readsDomain = readers.some((miner) => (miner.history ?? 'domain') === 'domain');
  const types = new Set(gone.map((episode) => episode.taskType));
  const first = Math.min(...gone.map((episode) => episode.seq));
  const later = (
    await tx.execute({
      sql: `SELECT m.episode_id, m.seq, m.succeeded, e.task_type FROM mined_episodes m
            JOIN episodes e ON e.id = m.episode_id
            WHERE m.seq > ? AND e.domain = ? AND m.episode_id NOT IN (SELECT id FROM temp.${excluded})
            ORDER BY m.seq`,
      args: [first, domain],
    })
  ).rows
    .map((row) => ({
      id: String(row.episode_id),
      succeeded: Number(row.succeeded) === 1,
      taskType: String(row.task_type),
    }))
    .filter((episode) => readsDomain || types.has(episode.taskType));
  if (later.length === 0) return touched;

  const episodes = new Map<string, EpisodeWithSteps>();
  for (const part of chunks(later, 500)) {
    for (const [id, episode] of await readEpisodes(
      db,
      part.map((item) => item.id),
    ))
      episodes.set(id, episode);
  }
  const readerTypes = readers.map((miner) => miner.patternType);
  const oldLinks = new Map<string, Map<string, { success: boolean; measurements: string | null }>>();
  const linkRows = await tx.execute({
    sql: `SELECT l.episode_id, l.pattern_id, l.success, l.measurements FROM patterns p
          JOIN episode_patterns l ON l.pattern_id = p.id
          WHERE p.domain = ? AND p.pattern_type IN (${readerTypes.map(() => '?').join(', ')})`,
    args: [domain, ...readerTypes],
  });
  for (const row of linkRows.rows) {
    const episodeId = String(row.episode_id);
    const links = oldLinks.get(episodeId) ?? new Map();
    links.set(String(row.pattern_id), {
      success: Number(row.success) === 1,
      measurements: row.measurements === null ? null : String(row.measurements),
    });
    oldLinks.set(episodeId, links);
  }

  // Rewind the baselines to just before the first later episode, then walk forward as a remine would.
  const rewound = new Map<string, BaselineStats>();
  const stats = async (taskType: string) => {
    const key = baselineKey(domain, taskType);
    if (!rewound.has(key)) rewound.set(key, await baselines.get(domain, taskType));
    return rewound.get(key) as BaselineStats;
  };
  const measures = new Map(
    later.map((item) => [item.id, measureEpisode(episodes.get(item.id) ?? { steps: [] })]),
  );
  for (const item of later) {
    for (const type of [item.taskType, wholeDomain]) {
      rewound.set(
        baselineKey(domain, type),
        removeEpisodeFromStats(await stats(type), measures.get(item.id) as EpisodeMeasures, item.succeeded),
      );
    }
  }
  const now = nowIso();
  const statements: InStatement[] = [];
  for (const item of later) {
    const episode = episodes.get(item.id) as EpisodeWithSteps;
    const candidates = await collectCandidates(
      readers,
      {
        episode,
        succeeded: item.succeeded,
        history: {
          taskType: toBaseline(await stats(item.taskType)),
          domain: toBaseline(await stats(wholeDomain)),
        },
        signal: settings.signal,
      },
      settings.logger,
    );
    for (const type of [item.taskType, wholeDomain]) {
      rewound.set(
        baselineKey(domain, type),
        addEpisodeToStats(await stats(type), measures.get(item.id) as EpisodeMeasures, item.succeeded),
      );
    }
    const before = oldLinks.get(item.id) ?? new Map();
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
  if (statements.length > 0) await tx.batch(statements);
  return touched;
}
