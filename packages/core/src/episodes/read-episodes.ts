import type { Database } from '../db/database.js';
import { episodeColumns, stepColumns, toEpisode, toStep } from '../db/rows.js';
import type { EpisodeWithAllSteps, Step } from '../types.js';

/** Episodes with their steps, by id, from one snapshot; ids that no longer exist are absent. */
export async function readEpisodes(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, EpisodeWithAllSteps>> {
  if (ids.length === 0) return new Map();
  const marks = ids.map(() => '?').join(', ');
  const [episodeRows, stepRows] = await db.readBatch([
    { sql: `SELECT ${episodeColumns} FROM episodes WHERE id IN (${marks})`, args: [...ids] },
    {
      sql: `SELECT ${stepColumns} FROM steps WHERE episode_id IN (${marks}) ORDER BY episode_id, step_number`,
      args: [...ids],
    },
  ]);
  const steps = new Map<string, Step[]>();
  for (const row of stepRows?.rows ?? []) {
    const step = toStep(row);
    const list = steps.get(step.episodeId);
    if (list === undefined) steps.set(step.episodeId, [step]);
    else list.push(step);
  }
  return new Map(
    (episodeRows?.rows ?? []).map((row) => {
      const episode = toEpisode(row);
      return [episode.id, { ...episode, steps: steps.get(episode.id) ?? [] }];
    }),
  );
}
