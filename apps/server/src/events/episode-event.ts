import type { Episode, Step } from '@episodic/core';

/**
 * What the `events.onEpisode` subscription delivers. Every event names its domain, which is what
 * the subscription filters on. `steps` carries the steps of one `logSteps` call; a retried call
 * may announce a step again (delivery is at least once), with the same step id, and a retried
 * start (same episode id) its `started` event again.
 */
export type EpisodeEvent =
  | { type: 'started'; domain: string; episode: Episode }
  | { type: 'steps'; domain: string; episodeId: string; steps: Step[] }
  | { type: 'completed'; domain: string; episode: Episode }
  | { type: 'archived'; domain: string; episode: Episode };
