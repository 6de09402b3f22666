import type { MeasuredEpisode } from './history-walk.js';

/**
 * The columns of a mined episode `m` that the baselines count, with its measures as
 * `measureEpisode` took them when it was mined (schema 1.18.0); for a row mined before, which
 * holds none (`steps` NULL), summed from its steps in SQL, so the steps are never read into JS.
 */
export const measuredColumns = `m.seq, m.succeeded, m.task_type,
  COALESCE(m.steps, (SELECT COUNT(*) FROM steps s WHERE s.episode_id = m.episode_id)) AS steps,
  CASE WHEN m.steps IS NULL THEN (SELECT SUM(s.duration_ms) FROM steps s WHERE s.episode_id = m.episode_id)
    ELSE m.duration_ms END AS duration_ms`;

export function measuredEpisode(row: Record<string, unknown>): MeasuredEpisode {
  return {
    seq: Number(row.seq),
    succeeded: Number(row.succeeded) === 1,
    taskType: String(row.task_type),
    // Steps never change once an episode finished: these are what was counted when it was mined.
    measures: {
      steps: Number(row.steps),
      durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    },
  };
}
