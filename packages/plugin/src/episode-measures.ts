import type { EpisodeView } from './episode-view.js';

/** The size of one run, as baselines count it. */
export interface EpisodeMeasures {
  steps: number;
  /** Sum of the steps' `durationMs`; `null` unless every step recorded one (a partial sum is no run's time). */
  durationMs: number | null;
}

/**
 * Step count and total step duration of an episode. Duration is the sum of step durations rather
 * than `completedAt - createdAt`, because an agent may log a whole episode long after it ran.
 */
export function measureEpisode(episode: Pick<EpisodeView, 'steps'>): EpisodeMeasures {
  let durationMs: number | null = null;
  for (const step of episode.steps) {
    if (step.durationMs === null) return { steps: episode.steps.length, durationMs: null };
    durationMs = (durationMs ?? 0) + step.durationMs;
  }
  return { steps: episode.steps.length, durationMs };
}
