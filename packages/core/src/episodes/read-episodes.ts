import type { InValue, Row } from '@libsql/client';
import type { Database } from '../db/database.js';
import { episodeColumns, toEpisode, toStep } from '../db/rows.js';
import type { EpisodeWithAllSteps, Step } from '../types.js';

/**
 * Most characters of step text (actions and results) the learners read of one episode. Learners
 * read a batch of episodes at once (64 for mining, 200 for `admin.remine()`), and without a
 * bound what they held grew with the episodes: 200 finished episodes of 100 results of 64 K
 * characters took the process to 2.7 GB while they were learned and 3.0 GB in a remine (Node's
 * default heap is at most 4 GB, less on a small machine). Far above every episode of the benchmarks' data sets (the longest
 * coding-agent run is ~200 K characters), so none of those is read differently.
 */
export const learnedTextChars = 1024 * 1024;

/**
 * The steps of the episodes whose ids `selection` gives (SQL, run with `args`), in episode and
 * step order, each episode's text bounded by `learnedTextChars`: whole while its actions and
 * results add up to at most that; past it, each of its n steps keeps `learnedTextChars / n`
 * characters: its action's start, and its result's start and end (where a command's output
 * says what ran and how it ended, a traceback its exception), the action taking at most half
 * when the result needs the rest. The bound is computed per episode
 * in SQL, so a step's text is cut before it reaches this process, and an episode reads the same
 * in every batch (mining, remine and a forget's replay see the same steps).
 */
export function boundedSteps(selection: string, args: readonly InValue[]): { sql: string; args: InValue[] } {
  // `share`: characters per step of an episode past the bound (NULL: read whole). The action
  // takes up to half of it, more when the result leaves some unused; `room`: what is left for
  // the result.
  const actionPart = 'max(t.share / 2, t.share - COALESCE(length(s.result), 0))';
  const steps = `SELECT s.id, s.episode_id, s.step_number, s.duration_ms, s.success, s.timestamp, s.metadata,
      s.result, CASE WHEN t.share IS NULL THEN s.action ELSE substr(s.action, 1, ${actionPart}) END AS action,
      CASE WHEN t.share IS NULL THEN NULL ELSE t.share - min(length(s.action), ${actionPart}) END AS room
    FROM steps s JOIN (SELECT episode_id,
        CASE WHEN sum(length(action) + COALESCE(length(result), 0)) > ${learnedTextChars}
          THEN ${learnedTextChars} / count(*) END AS share
      FROM steps WHERE episode_id IN (${selection}) GROUP BY episode_id) t ON t.episode_id = s.episode_id
    WHERE s.episode_id IN (${selection})`;
  // substr(x, -0) would be the whole text, so a room under 3 keeps the start only.
  return {
    sql: `SELECT id, episode_id, step_number, action, duration_ms, success, timestamp, metadata,
        CASE WHEN room IS NULL OR result IS NULL OR length(result) <= room THEN result
          WHEN room < 3 THEN substr(result, 1, room)
          ELSE substr(result, 1, room / 2) || char(10) || substr(result, -(room - room / 2 - 1)) END AS result
      FROM (${steps}) ORDER BY episode_id, step_number`,
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
