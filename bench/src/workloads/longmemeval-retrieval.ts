import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { openPlainBm25, type PlainBm25 } from '../plain-bm25.js';
import { type RankingScores, scoreRanking } from '../retrieval-metrics.js';
import type { RetrievalSide } from './coding-retrieval.js';
import { type LongMemEvalInstance, type LongMemEvalSession, longMemEvalQuery } from './longmemeval.js';
import { buildLongMemEvalStore, sessionText } from './retrieval-stores.js';

const k = 10;

/** The three sides of the comparison over one set of sessions. */
export interface LongMemEvalSides {
  /** Scores one question on every side against its evidence sessions. */
  score(instance: LongMemEvalInstance): Promise<Record<RetrievalSide, RankingScores>>;
  close(): Promise<void>;
}

/**
 * A store of `sessions` built through the engine with `embeddings` (ours), the same file opened
 * without a provider (what a user who configured none gets), and plain BM25 over the same sessions.
 */
export async function openLongMemEvalSides(
  tempDir: string,
  name: string,
  sessions: readonly LongMemEvalSession[],
  embeddings: EmbeddingProviderV1,
): Promise<LongMemEvalSides> {
  // A folder per set, removed at close: each store's cache maps 256 MiB of disk from the start
  // (core README, "Cache"), and 184 questions' stores kept to the end filled the disk.
  const dir = join(tempDir, name);
  mkdirSync(dir, { recursive: true });
  const url = `file:${join(dir, 'memory.db')}`;
  const built = await buildLongMemEvalStore(url, sessions, { embeddings });
  const textOnly: Memory = await openMemory({ url });
  const bm25: PlainBm25 = await openPlainBm25(`file:${join(dir, 'bm25.db')}`);
  await bm25.add(sessions.map((session) => ({ id: session.id, text: sessionText(session) })));
  const sessionsOf = (ids: string[]) => ids.map((id) => built.sourceOf.get(id) ?? id);
  return {
    async score(instance) {
      const relevant = new Set(instance.answerSessionIds);
      const query = longMemEvalQuery(instance, k);
      const ours = await built.memory.search.retrieve(query);
      const text = await textOnly.search.retrieve(query);
      return {
        ours: scoreRanking(sessionsOf(ours.episodes.map((hit) => hit.episode.id)), relevant),
        textonly: scoreRanking(sessionsOf(text.episodes.map((hit) => hit.episode.id)), relevant),
        bm25: scoreRanking(await bm25.search(instance.question, k), relevant),
      };
    },
    async close() {
      await textOnly.close();
      await built.memory.close();
      bm25.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
