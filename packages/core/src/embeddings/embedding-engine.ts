import type { EmbeddingProviderV1 } from '@episodic/plugin';
import type { EngineContext } from '../engine-context.js';
import type { EpisodeLearner } from '../learning/episode-learner.js';
import type { EmbedDeadline } from './embed-texts.js';
import { embeddingStamp } from './embedding-stamp.js';
import { embedEpisodes, replaceEmbeddingsStatements } from './episode-embeddings.js';
import { VectorIndex } from './vector-index.js';

/** The bound on each `embed()` call when learning and reindexing (`learning.embedTimeoutMs`). */
export const embedDeadline = (context: Pick<EngineContext, 'config'>): EmbedDeadline => ({
  timeoutMs: context.config.learning.embedTimeoutMs,
  setting: 'learning.embedTimeoutMs',
});

/** The embedder's name in the learning queue. */
export const embeddingsLearner = 'embeddings';

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
    name: embeddingsLearner,
    // Several episodes per call, so that the provider gets full batches of texts.
    get batchSize() {
      return Math.max(1, Math.min(256, Math.floor(active?.provider.maxBatchSize ?? 64)));
    },
    // Finished as `reindex` counts them (archived included); a vector of another model stops the store opening.
    unlearned: "SELECT id FROM episodes WHERE status != 'active' AND embedding_version IS NULL",
    async learn(episodes, finish, signal) {
      const current = active;
      if (current === null) return;
      // The model call happens before the write lock is taken.
      const rows = await embedEpisodes(current.provider, episodes, signal, embedDeadline(context));
      await context.db.write(async (tx) => {
        const marks = episodes.map(() => '?').join(', ');
        const existing = new Set(
          (
            await tx.execute({
              sql: `SELECT id FROM episodes WHERE id IN (${marks})`,
              args: episodes.map((episode) => episode.id),
            })
          ).rows.map((row) => String(row.id)),
        );
        // An episode deleted while it was being embedded keeps no vector.
        const ids = [...existing];
        if (ids.length > 0)
          await tx.batch(
            replaceEmbeddingsStatements(
              current.provider,
              ids,
              rows.filter((row) => existing.has(row.episodeId)),
            ),
          );
        await finish(tx);
      });
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
