import { type MarginInterval, pairedMarginInterval } from '../margin-interval.js';
import { metricKey, type RankingScores, round } from '../retrieval-metrics.js';
import type { RetrievalSide } from '../workloads/coding-retrieval.js';

/** What ours is compared with: plain BM25 (the target) or our own text-only ranking. */
export type Against = 'bm25' | 'textonly';

/** One case of the test split: each side's scores per query, paired by position. */
export interface TestCase {
  name: string;
  metrics: readonly (keyof RankingScores)[];
  perQuery: Record<RetrievalSide, RankingScores[]>;
}

/** A case's weakest figure against one baseline. */
export interface Weakest extends MarginInterval {
  name: string;
  metric: keyof RankingScores;
}

/** The case's figure with the smallest margin of ours over `against`, with its interval. */
export function weakestFigure(entry: TestCase, against: Against): Omit<Weakest, 'name'> {
  const intervals = entry.metrics.map((metric) => ({
    metric,
    ...pairedMarginInterval(
      entry.perQuery.ours.map((scores) => scores[metric]),
      entry.perQuery[against].map((scores) => scores[metric]),
    ),
  }));
  return intervals.reduce((weakest, next) => (next.margin < weakest.margin ? next : weakest));
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
/** How a weakest figure reads in the bench's notes: `coding any5 -0.049 [-0.115, +0.016]`. */
export const describeWeakest = ({ name, metric, margin, low, high }: Weakest) =>
  `${name} ${metricKey[metric]} ${signed(margin)} [${signed(low)}, ${signed(high)}]`;
/** A weakest figure in the bench's JSON line. */
export const weakestJson = ({ metric, margin, low, high }: Weakest) => ({
  metric: metricKey[metric],
  margin: round(margin),
  low: round(low),
  high: round(high),
});
