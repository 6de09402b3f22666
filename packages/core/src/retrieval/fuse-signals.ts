import type { VectorHit } from '../embeddings/vector-rows.js';
import type { Episode } from '../types.js';
import type { TimeWindow } from './named-dates.js';
import type { FusionWeights, ResolvedRetrievalConfig } from './retrieval-config.js';
import type { RetrievedEpisode } from './retrieval-result.js';
import type { TextCandidate } from './text-candidates.js';

const dayMs = 86_400_000;

export interface FusionInput {
  /** Full-text candidates, best first. */
  text: readonly TextCandidate[];
  /** Vector candidates, best first. */
  vector: readonly VectorHit[];
  /** Episodes ranked by the expanded query, best first. */
  expansion: readonly string[];
  /** Episodes ranked by query words found close together, best first. */
  proximity: readonly string[];
  /** Dates the query names. */
  windows: readonly TimeWindow[];
  /** The rows of every candidate that passed the filters; candidates missing here are dropped. */
  episodes: ReadonlyMap<string, Episode>;
  now: number;
}

/**
 * The whole-episode text score (by default its BM25 over the query's best, see `textFusion`),
 * reciprocal rank fusion of the other rankings, and recency, outcome and time terms (the formula
 * is on `retrievalWeightsSchema`). Ranks and the best BM25 count only candidates that passed the
 * filters, so a filtered-out episode never pushes an eligible one down.
 */
export function fuseSignals(
  input: FusionInput,
  config: ResolvedRetrievalConfig,
  weights: FusionWeights,
): RetrievedEpisode[] {
  // Every candidate, best first: diversification may reorder the head before the cut.
  const { rankConstant: k } = config;
  const rankShare = (rank: number) => (k + 1) / (k + rank);
  const results = new Map<string, RetrievedEpisode>();
  const entry = (episode: Episode): RetrievedEpisode => {
    let result = results.get(episode.id);
    if (result === undefined) {
      const ageDays = Math.max(0, (input.now - Date.parse(episode.createdAt)) / dayMs);
      const recency = weights.recency * 2 ** (-ageDays / config.recencyHalfLifeDays);
      const outcome = weights.outcome * (episode.successRate ?? 0);
      result = {
        episode,
        score: 0,
        why: {
          text: null,
          vector: null,
          expansion: null,
          proximity: null,
          time: null,
          recency: { ageDays, contribution: recency },
          outcome: { successRate: episode.successRate, contribution: outcome },
        },
      };
      results.set(episode.id, result);
    }
    return result;
  };

  const eligible = input.text.flatMap((candidate) => {
    const episode = input.episodes.get(candidate.episodeId);
    return episode === undefined ? [] : [{ candidate, episode }];
  });
  // BM25 is positive for every match; the best eligible match scores the full weight.
  const best = Math.max(Number.MIN_VALUE, ...eligible.map(({ candidate }) => candidate.bm25));
  const textShare = (bm25: number, rank: number) =>
    config.textFusion === 'score' ? Math.max(0, bm25) / best : rankShare(rank);
  let rank = 0;
  for (const { candidate, episode } of eligible) {
    rank += 1;
    const step = candidate.step;
    // The episode's own score leads; a step that also ranks among the step matches adds to it.
    const stepContribution = step === null ? 0 : weights.step * rankShare(step.rank);
    entry(episode).why.text = {
      rank,
      bm25: candidate.bm25,
      matchedIn: step === null ? 'episode' : 'step',
      stepNumber: step?.stepNumber ?? null,
      stepRank: step?.rank ?? null,
      contribution: weights.text * textShare(candidate.bm25, rank) + stepContribution,
      stepContribution,
    };
  }
  rank = 0;
  for (const hit of input.vector) {
    const episode = input.episodes.get(hit.episodeId);
    if (episode === undefined) continue;
    rank += 1;
    entry(episode).why.vector = {
      rank,
      similarity: hit.similarity,
      matchedIn: hit.kind,
      stepNumber: hit.stepNumber,
      contribution: weights.vector * rankShare(rank),
    };
  }

  for (const [key, ids, weight] of [
    ['expansion', input.expansion, weights.expansion],
    ['proximity', input.proximity, weights.proximity],
  ] as const) {
    rank = 0;
    for (const id of ids) {
      const episode = input.episodes.get(id);
      if (episode === undefined) continue;
      rank += 1;
      entry(episode).why[key] = { rank, contribution: weight * rankShare(rank) };
    }
  }

  for (const result of results.values()) {
    const { why } = result;
    const created = Date.parse(result.episode.createdAt);
    if (input.windows.some((window) => created >= window.start && created <= window.end))
      why.time = { contribution: weights.time };
    result.score =
      (why.text?.contribution ?? 0) +
      (why.vector?.contribution ?? 0) +
      (why.expansion?.contribution ?? 0) +
      (why.proximity?.contribution ?? 0) +
      (why.time?.contribution ?? 0) +
      why.recency.contribution +
      why.outcome.contribution;
  }
  return [...results.values()].sort((a, b) => b.score - a.score || (a.episode.id < b.episode.id ? 1 : -1));
}
