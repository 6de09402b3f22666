import { generateAgentEpisodes, type ScriptedEpisode } from './agent-episodes.js';
import { VariedEpisodes } from './varied-episodes.js';

/**
 * Agent episodes whose task descriptions vary as real ones do (words drawn from a Zipf-like
 * vocabulary), so that the retrieve an agent makes before a task finds a few similar past episodes
 * rather than every one: `generateAgentEpisodes` alone draws its contexts from six goals.
 * Building the vocabulary takes about 160 ms, so a caller that generates one episode at a
 * time passes its own `words` and keeps it.
 */
export function generateAgentTasks(
  episodes: number,
  stepsPerEpisode: number,
  seed: number,
  words: VariedEpisodes = new VariedEpisodes(seed),
): ScriptedEpisode[] {
  return generateAgentEpisodes({ episodes, stepsPerEpisode, seed }).map((episode) => ({
    ...episode,
    start: { ...episode.start, context: words.sentence(8, 16) },
  }));
}
