import type { Logger } from '../logger.js';
import type { EpisodeWithSteps } from '../types.js';
import type { EpisodeLearner } from './episode-learner.js';

/** Runs every learner on a finished episode, one after the other, isolating their failures. */
export function createLearningPipeline(learners: readonly EpisodeLearner[], logger: Logger) {
  return {
    async learn(episode: EpisodeWithSteps): Promise<void> {
      for (const learner of learners) {
        try {
          await learner.learn(episode);
        } catch (error) {
          logger.warn(
            `episodic: ${learner.name} could not learn from episode ${episode.id}: ${(error as Error).message}`,
          );
        }
      }
    },
  };
}
