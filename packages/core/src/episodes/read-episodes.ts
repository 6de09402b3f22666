import type { InValue, Row } from '@libsql/client';
import type { Database } from '../db/database.js';
import { episodeColumns, toEpisode, toStep } from '../db/rows.js';
import type { EpisodeWithAllSteps, Step } from '../types.js';

/**
 * Most characters of step text (actions, results and metadata) the learners read of one
 * episode. Learners read a batch of episodes at once (64 for mining, 200 for `admin.remine()`),
 * and without a bound what they held grew with the episodes: 200 finished episodes of 100
 * results of 64 K characters took the process to 2.7 GB while they were learned and 3.0 GB in a
 * remine (Node's default heap is at most 4 GB, less on a small machine). Far above every episode
 * of the benchmarks' data sets (the longest coding-agent run, as a store keeps it, is ~200 K
 * characters), so none of those is read differently.
 */
export const learnedTextChars = 1024 * 1024;

/**
 * The steps of the episodes whose ids `selection` gives (SQL, run with `args`), in episode and
 * step order, each episode's text bounded by `learnedTextChars`: whole while its actions,
 * results and metadata add up to at most that. Past it, every step keeps up to one share, the
 * largest that keeps the total within the bound (water-filling): the steps shorter than it are
 * read whole and the longer ones cut to it, so a few long outputs among many short steps keep as
 * much as the short ones leave (read-episodes.test.ts: six 190 K results among 1,000 short
 * steps kept 1,019 characters each with an equal share of 1 Mi / n, 144,941 now). Of a cut
 * step's share, metadata is kept whole when it takes at most a quarter (cut JSON would not parse)
 * and left out (null) otherwise; the action keeps its start, at most half of what is left unless
 * the result needs less; the result its start and end (a command's output says what ran at its
 * start and how it ended at its end, a traceback ends with its exception). The bound is computed per episode in SQL, so text is cut before it reaches
 * this process, and an episode reads the same in every batch (mining, remine and a forget's
 * replay see the same steps).
 */
export function boundedSteps(selection: string, args: readonly InValue[]): { sql: string; args: InValue[] } {
  // `share`: the level, NULL when the episode is read whole. With the steps' sizes s1 ≤ … ≤ sn
  // and p(i) the sum of those before si, the level is the largest (bound − p(i)) / (n − i + 1):
  // that is the one where the steps below it are whole and the rest split what they leave.
  const size = (step: string) =>
    `length(${step}action) + COALESCE(length(${step}result), 0) + COALESCE(length(${step}metadata), 0)`;
  const totals = `SELECT episode_id,
        CASE WHEN max(total) > ${learnedTextChars} THEN max((${learnedTextChars} - before) / (n - i + 1)) END AS share
      FROM (SELECT episode_id, sum(size) OVER whole AS total, count(*) OVER whole AS n,
          row_number() OVER smallest AS i, sum(size) OVER smallest - size AS before
        FROM (SELECT episode_id, ${size('')} AS size FROM steps WHERE episode_id IN (${selection}))
        WINDOW whole AS (PARTITION BY episode_id),
          smallest AS (PARTITION BY episode_id ORDER BY size ROWS UNBOUNDED PRECEDING))
      GROUP BY episode_id`;
  // `rest`: the share less the metadata kept. The step's size is computed only for metadata over a
  // quarter of the share: length() reads a text whole, and results are the long part (reading them
  // twice more doubled the time to learn 1,000 results of 60 K).
  const keptMetadata = `(s.metadata IS NOT NULL AND (length(s.metadata) <= t.share / 4 OR ${size('s.')} <= t.share))`;
  const withMetadata = `SELECT s.id, s.episode_id, s.step_number, s.action, s.result, s.duration_ms, s.success,
        s.timestamp, CASE WHEN t.share IS NULL OR ${keptMetadata} THEN s.metadata END AS metadata,
        t.share - CASE WHEN ${keptMetadata} THEN length(s.metadata) ELSE 0 END AS rest
      FROM steps s JOIN (${totals}) t ON t.episode_id = s.episode_id
      WHERE s.episode_id IN (${selection})`;
  // `room`: what the action leaves of the rest for the result.
  const actionPart = 'max(rest / 2, rest - COALESCE(length(result), 0))';
  const withAction = `SELECT id, episode_id, step_number, result, duration_ms, success, timestamp, metadata,
        CASE WHEN rest IS NULL THEN action ELSE substr(action, 1, ${actionPart}) END AS action,
        rest - min(length(action), ${actionPart}) AS room
      FROM (${withMetadata})`;
  // substr(x, -0) would be the whole text, so a room under 3 keeps the start only.
  return {
    sql: `SELECT id, episode_id, step_number, action, duration_ms, success, timestamp, metadata,
        CASE WHEN room IS NULL OR result IS NULL OR length(result) <= room THEN result
          WHEN room < 3 THEN substr(result, 1, room)
          ELSE substr(result, 1, room / 2) || char(10) || substr(result, -(room - room / 2 - 1)) END AS result
      FROM (${withAction}) ORDER BY episode_id, step_number`,
    args: [...args, ...args],
  };
}

/** Groups step rows (in episode order) by episode id. */
export function stepsByEpisode(rows: readonly Row[]): Map<string, Step[]> {
  const steps = new Map<string, Step[]>();
  for (const row of rows) {
    const step = toStep(row);
    const list = steps.get(step.episodeId);
    if (list === undefined) steps.set(step.episodeId, [step]);
    else list.push(step);
  }
  return steps;
}

/**
 * Episodes with their steps as the learners read them (see `boundedSteps`), by id, from one
 * snapshot; ids that no longer exist are absent.
 */
export async function readEpisodes(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, EpisodeWithAllSteps>> {
  if (ids.length === 0) return new Map();
  const marks = ids.map(() => '?').join(', ');
  const [episodeRows, stepRows] = await db.readBatch([
    { sql: `SELECT ${episodeColumns} FROM episodes WHERE id IN (${marks})`, args: [...ids] },
    boundedSteps(marks, ids),
  ]);
  const steps = stepsByEpisode(stepRows?.rows ?? []);
  return new Map(
    (episodeRows?.rows ?? []).map((row) => {
      const episode = toEpisode(row);
      return [episode.id, { ...episode, steps: steps.get(episode.id) ?? [] }];
    }),
  );
}
