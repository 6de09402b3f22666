import type { InStatement, Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { readEpisodes } from '../episodes/read-episodes.js';
import { nowIso } from '../schemas/timestamp.js';
import type { EpisodeWithSteps } from '../types.js';
import {
  addEpisodeToStats,
  type BaselineStats,
  emptyBaselineStats,
  removeEpisodeFromStats,
  toBaseline,
} from './baseline-stats.js';
import { chunks } from './chunks.js';
import { collectCandidates } from './collect-candidates.js';
import type { EpisodeMeasures } from './episode-measures.js';
import { measureEpisode } from './episode-measures.js';
import { addSupport, type Evidence, emptyEvidence, evidenceColumns } from './evidence.js';
import { type MiningSettings, type WrittenPattern, wholeDomain } from './mining-batch.js';
import { type Link, linkContribution, linkInsert } from './pattern-links.js';

export interface UnmineReport {
  /** Patterns whose evidence was recomputed and that still have support. */
  changed: WrittenPattern[];
  /** Patterns left with no supporting episode, and so deleted. */
  removed: number;
}

interface Gone {
  id: string;
  seq: number;
  succeeded: boolean;
  domain: string;
  taskType: string;
  measures: EpisodeMeasures;
}

/** The temporary table, in the forget's transaction, that lists the episodes being forgotten. */
export const forgetEpisodesTable = 'forget_episodes';

const baselineKey = (domain: string, taskType: string) => JSON.stringify([domain, taskType]);

/** `pattern_baselines` rows, keyed by domain and task type, loaded on first use and written at the end. */
function baselineRows(tx: Transaction) {
  const rows = new Map<string, { domain: string; taskType: string; stats: BaselineStats }>();
  return {
    async get(domain: string, taskType: string): Promise<BaselineStats> {
      const key = baselineKey(domain, taskType);
      let row = rows.get(key);
      if (row === undefined) {
        const stored = (
          await tx.execute({
            sql: 'SELECT stats FROM pattern_baselines WHERE domain = ? AND task_type = ?',
            args: [domain, taskType],
          })
        ).rows[0];
        const stats =
          stored === undefined ? emptyBaselineStats() : (JSON.parse(String(stored.stats)) as BaselineStats);
        row = { domain, taskType, stats };
        rows.set(key, row);
      }
      return row.stats;
    },
    set(domain: string, taskType: string, stats: BaselineStats) {
      rows.set(baselineKey(domain, taskType), { domain, taskType, stats });
    },
    /** A remine writes no baseline for a scope without episodes: neither do we. */
    statements(): InStatement[] {
      return [...rows.values()].map(({ domain, taskType, stats }) =>
        stats.episodes === 0
          ? {
              sql: 'DELETE FROM pattern_baselines WHERE domain = ? AND task_type = ?',
              args: [domain, taskType],
            }
          : {
              sql: `INSERT INTO pattern_baselines (domain, task_type, stats) VALUES (?, ?, ?)
                    ON CONFLICT (domain, task_type) DO UPDATE SET stats = excluded.stats`,
              args: [domain, taskType, JSON.stringify(stats)],
            },
      );
    },
  };
}

async function goneEpisodes(tx: Transaction): Promise<Gone[]> {
  const rows = await tx.execute(`SELECT m.episode_id, m.seq, m.succeeded, e.domain, e.task_type,
      (SELECT COUNT(*) FROM steps s WHERE s.episode_id = m.episode_id) AS steps,
      (SELECT SUM(s.duration_ms) FROM steps s WHERE s.episode_id = m.episode_id) AS duration_ms
    FROM temp.${forgetEpisodesTable} f JOIN mined_episodes m ON m.episode_id = f.id JOIN episodes e ON e.id = f.id
    ORDER BY m.seq`);
  return rows.rows.map((row) => ({
    id: String(row.episode_id),
    seq: Number(row.seq),
    succeeded: Number(row.succeeded) === 1,
    domain: String(row.domain),
    taskType: String(row.task_type),
    // What `measureEpisode` counted when the episode was mined: steps never change once it finished.
    measures: {
      steps: Number(row.steps),
      durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    },
  }));
}

/**
 * Mines again, with the miners that read history, the episodes of `domain` mined after the first
 * forgotten one: their history no longer counts the forgotten episodes. Rewrites the links whose
 * contribution changed and returns the patterns concerned. `baselines` hold the final state
 * (forgotten episodes removed) and are left as they were found.
 */
async function replayLaterEpisodes(
  tx: Transaction,
  db: Database,
  settings: MiningSettings,
  baselines: ReturnType<typeof baselineRows>,
  domain: string,
  gone: readonly Gone[],
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
            WHERE m.seq > ? AND e.domain = ? AND m.episode_id NOT IN (SELECT id FROM temp.${forgetEpisodesTable})
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
        args: [
          candidate.id,
          candidate.patternType,
          domain,
          candidate.taskType,
          candidate.dataJson,
          candidate.summary,
          now,
          now,
        ],
      });
    }
    if (after.length > 0) statements.push(linkInsert('episode_patterns', after, now));
  }
  if (statements.length > 0) await tx.batch(statements);
  return touched;
}

/**
 * The evidence of `ids` folded again from their remaining links, in mining order, exactly as a
 * remine folds it; a pattern left without support is deleted. Usage feedback is kept.
 */
async function refold(tx: Transaction, ids: readonly string[]): Promise<UnmineReport> {
  const report: UnmineReport = { changed: [], removed: 0 };
  const now = nowIso();
  for (const part of chunks(ids, 200)) {
    const marks = part.map(() => '?').join(', ');
    const [patternRows, linkRows] = await tx.batch([
      {
        sql: `SELECT id, pattern_type, usage_count, helped_count FROM patterns
              WHERE id IN (${marks}) AND support IS NOT NULL`,
        args: part,
      },
      {
        sql: `SELECT l.pattern_id, l.success, l.measurements FROM episode_patterns l
              JOIN mined_episodes m ON m.episode_id = l.episode_id
              WHERE l.pattern_id IN (${marks}) AND l.episode_id NOT IN (SELECT id FROM temp.${forgetEpisodesTable})
              ORDER BY l.pattern_id, m.seq`,
        args: part,
      },
    ]);
    const evidence = new Map<string, Evidence>();
    for (const row of patternRows?.rows ?? []) {
      evidence.set(String(row.id), {
        ...emptyEvidence(),
        usageCount: Number(row.usage_count ?? 0),
        helpedCount: Number(row.helped_count ?? 0),
      });
    }
    for (const row of linkRows?.rows ?? []) {
      const id = String(row.pattern_id);
      const current = evidence.get(id);
      if (current === undefined) continue;
      const measurements =
        row.measurements === null ? {} : (JSON.parse(String(row.measurements)) as Record<string, number>);
      evidence.set(id, addSupport(current, Number(row.success) === 1, measurements));
    }
    const statements: InStatement[] = [];
    for (const row of patternRows?.rows ?? []) {
      const id = String(row.id);
      const folded = evidence.get(id) as Evidence;
      if (folded.support === 0) {
        statements.push({ sql: 'DELETE FROM patterns WHERE id = ?', args: [id] });
        report.removed += 1;
        continue;
      }
      const columns = evidenceColumns(folded);
      statements.push({
        sql: `UPDATE patterns SET support = ?, successes = ?, success_rate = ?, wilson_lower = ?, score = ?,
                measurements = ?, updated_at = ? WHERE id = ?`,
        args: [
          folded.support,
          folded.successes,
          columns.successRate,
          columns.wilsonLower,
          columns.score,
          columns.measurements,
          now,
          id,
        ],
      });
      report.changed.push({ id, patternType: String(row.pattern_type) });
    }
    if (statements.length > 0) await tx.batch(statements);
  }
  return report;
}

/**
 * Takes the episodes listed in `temp.forget_episodes` out of the mined patterns, inside the
 * transaction that will delete them, so that what remains equals a `remine()` of the episodes
 * that remain: the baselines lose their measures, the episodes of their domain mined after them
 * are mined again with the miners that read history (see `PatternMinerV1.history`), and the
 * evidence of every pattern they or those touched is folded again from its remaining links. The
 * work is bounded by those patterns' links and the later episodes of the task type (the domain,
 * for a miner that reads it), never by the store. `null` (nothing written) when a link written
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
    sql: `SELECT 1 FROM episode_patterns l JOIN patterns p ON p.id = l.pattern_id
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
  const affected = new Set(
    (
      await tx.execute(
        `SELECT DISTINCT pattern_id FROM episode_patterns WHERE episode_id IN (SELECT id FROM temp.${forgetEpisodesTable})`,
      )
    ).rows.map((row) => String(row.pattern_id)),
  );
  for (const domain of domains) {
    const replayed = await replayLaterEpisodes(
      tx,
      db,
      settings,
      baselines,
      domain,
      gone.filter((episode) => episode.domain === domain),
    );
    for (const id of replayed) affected.add(id);
  }
  const report = await refold(tx, [...affected]);
  const statements = baselines.statements();
  if (statements.length > 0) await tx.batch(statements);
  return report;
}
