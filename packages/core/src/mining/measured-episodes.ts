import type { MeasuredEpisode } from './history-walk.js';

/**
 * The columns of a mined episode `m` that the baselines count, with
 * its measures as `measureEpisode` takes them, summed in SQL so its steps are never read.
 */
export const measuredColumns = `m.seq, m.succeeded, m.task_type,
  (SELECT COUNT(*) FROM steps s WHERE s.episode_id = m.episode_id) AS steps,
  (SELECT SUM(s.duration_ms) FROM steps s WHERE s.episode_id = m.episode_id) AS duration_ms`;

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
