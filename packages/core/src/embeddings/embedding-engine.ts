import type { EngineContext } from '../engine-context.js';
import type { EpisodeLearner } from '../learning/episode-learner.js';
import type { EmbeddingProviderV1 } from './embedding-provider.js';
import { embeddingStamp } from './embedding-stamp.js';
import { embedEpisodes, replaceEmbeddingsStatements } from './episode-embeddings.js';
import { VectorIndex } from './vector-index.js';

/** The provider a store embeds with now, and the in-memory index of that provider's vectors. */
export interface ActiveEmbeddings {
  provider: EmbeddingProviderV1;
  stamp: string;
  index: VectorIndex;
}

/**
 * Holds the store's current embedding provider (none, the one it was opened with, or the one a
 * `reindex` switched to) and learns from finished episodes by embedding them with it.
 */
export function createEmbeddingEngine(context: EngineContext, initial: EmbeddingProviderV1 | undefined) {
  const activate = (provider: EmbeddingProviderV1): ActiveEmbeddings => {
    const stamp = embeddingStamp(provider);
    return { provider, stamp, index: new VectorIndex(context.db, stamp, provider.dimensions) };
  };
  let active: ActiveEmbeddings | null = initial === undefined ? null : activate(initial);

  const learner: EpisodeLearner = {
    name: 'embeddings',
    async learn(episode) {
      const current = active;
      if (current === null) return;
      const rows = await embedEpisodes(current.provider, [episode]);
      await context.db.write((tx) =>
        tx.batch(replaceEmbeddingsStatements(current.provider, [episode.id], rows)),
      );
    },
  };

  return {
    learner,
    /** The provider in use, or null when the store was opened without one. */
    active: (): ActiveEmbeddings | null => active,
    /** Makes `provider` the store's provider from now on (its vectors may still be missing). */
    use(provider: EmbeddingProviderV1): ActiveEmbeddings {
      const stamp = embeddingStamp(provider);
      // Same vector space: the vectors already in memory stay valid.
      active = active?.stamp === stamp ? { ...active, provider } : activate(provider);
      return active;
    },
  };
}

export type EmbeddingEngine = ReturnType<typeof createEmbeddingEngine>;
