import type { EpisodeWithSteps } from '../types.js';

/**
 * Something that learns from an episode once it has finished (status `completed` or `failed`):
 * the embedder stores its vectors, the miners turn it into pattern evidence.
 *
 * Learners run after the completion has committed and before `completeEpisode` returns, so a
 * caller that completes an episode can retrieve by it at once. A learner that throws does not undo
 * the completion: the failure is reported through the store's logger, and the work can be redone
 * later (`reindex`, `remine`).
 */
export interface EpisodeLearner {
  /** Shown in the logger's message when this learner fails. */
  readonly name: string;
  learn(episode: EpisodeWithSteps): Promise<void>;
}
