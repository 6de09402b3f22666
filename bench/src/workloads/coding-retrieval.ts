import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createLocalEmbeddings } from '@episodic/embeddings-local';
import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { openPlainBm25 } from '../plain-bm25.js';
import { meanScores, type RankingScores, scoreRanking } from '../retrieval-metrics.js';
import { type CodingAgentRun, codingAgentSplit } from './coding-agent.js';
import { buildCodingStore, runText } from './retrieval-stores.js';

export type RetrievalSide = 'ours' | 'textonly' | 'bm25';

export interface CodingSideScores {
  scores: RankingScores;
  /** Each query's scores, in the same order for every side (for paired comparisons). */
  perQuery: RankingScores[];
  /** Share of queries whose first result is a resolved run. */
  resolvedTop1: number;
}

export type CodingResults = Record<'dev' | 'test', Record<RetrievalSide, CodingSideScores> & { n: number }>;

const k = 10;

/**
 * The queries of one split: each run of it with at least one other run of the same split that
 * changed the same library file; relevant = those other runs. Relevance never crosses the split:
 * a dev query whose answer is a test run (and the test query that mirrors it) would let the dev
 * figures the defaults are chosen by lean on test runs.
 */
export function codingQueries(
  runs: readonly CodingAgentRun[],
  split: 'dev' | 'test',
): { run: CodingAgentRun; relevant: Set<string> }[] {
  const ofSplit = runs.filter((run) => codingAgentSplit(run.instanceId) === split);
  return ofSplit.flatMap((run) => {
    const relevant = new Set(
      ofSplit
        .filter(
          (other) => other !== run && other.changedFiles.some((file) => run.changedFiles.includes(file)),
        )
        .map((other) => other.instanceId),
    );
    return relevant.size === 0 ? [] : [{ run, relevant }];
  });
}

/**
 * The coding-agent case: each split's runs in a store of their own (as each LongMemEval split is
 * pooled), asked by the split's queries (`codingQueries`). The asking run is in the store, as an
 * agent's own episode is when it asks at the start of a task: `retrieve` is told to exclude it (it
 * would come first, and its own steps, which name the files it changed, would feed the query's
 * expansion); plain BM25 asks for one more result and drops it.
 */
export async function codingRetrieval(
  runs: readonly CodingAgentRun[],
  tempDir: string,
  progress: (message: string) => void,
  embeddings: EmbeddingProviderV1 = createLocalEmbeddings(),
): Promise<CodingResults> {
  const byId = new Map(runs.map((run) => [run.instanceId, run]));
  const collected = {
    dev: { ours: [], textonly: [], bm25: [] },
    test: { ours: [], textonly: [], bm25: [] },
  } as Record<'dev' | 'test', Record<RetrievalSide, { scores: RankingScores; resolved: boolean }[]>>;
  for (const split of ['dev', 'test'] as const) {
    const stored = runs.filter((run) => codingAgentSplit(run.instanceId) === split);
    progress(`retrieval-quality: coding-agent store of the ${stored.length} ${split} runs`);
    const url = `file:${join(tempDir, `coding-${split}.db`)}`;
    const built = await buildCodingStore(url, stored, { embeddings });
    // The same file without a provider: what a user who configured none gets.
    const textOnly = { memory: await openMemory({ url }), sourceOf: built.sourceOf };
    const bm25 = await openPlainBm25(`file:${join(tempDir, `coding-${split}-bm25.db`)}`);
    await bm25.add(stored.map((run) => ({ id: run.instanceId, text: runText(run) })));
    const episodeOf = new Map([...built.sourceOf].map(([episodeId, instanceId]) => [instanceId, episodeId]));
    try {
      for (const { run, relevant } of codingQueries(runs, split)) {
        const query = {
          text: run.issueText,
          limit: k,
          patterns: 0,
          exclude: [episodeOf.get(run.instanceId) ?? ''],
        };
        const rankings: Record<RetrievalSide, string[]> = {
          ours: (await built.memory.search.retrieve(query)).episodes.map(
            (hit) => built.sourceOf.get(hit.episode.id) ?? '',
          ),
          textonly: (await textOnly.memory.search.retrieve(query)).episodes.map(
            (hit) => textOnly.sourceOf.get(hit.episode.id) ?? '',
          ),
          bm25: (await bm25.search(run.issueText, k + 1)).filter((id) => id !== run.instanceId).slice(0, k),
        };
        for (const side of ['ours', 'textonly', 'bm25'] as const) {
          const ranked = rankings[side];
          collected[split][side].push({
            scores: scoreRanking(ranked, relevant),
            resolved: byId.get(ranked[0] ?? '')?.resolved ?? false,
          });
        }
      }
    } finally {
      await built.memory.close();
      await textOnly.memory.close();
      bm25.close();
    }
  }
  const summarise = (entries: { scores: RankingScores; resolved: boolean }[]): CodingSideScores => ({
    scores: meanScores(entries.map((entry) => entry.scores)),
    perQuery: entries.map((entry) => entry.scores),
    resolvedTop1: entries.filter((entry) => entry.resolved).length / Math.max(1, entries.length),
  });
  const part = (split: 'dev' | 'test') => ({
    n: collected[split].ours.length,
    ours: summarise(collected[split].ours),
    textonly: summarise(collected[split].textonly),
    bm25: summarise(collected[split].bm25),
  });
  return { dev: part('dev'), test: part('test') };
}
