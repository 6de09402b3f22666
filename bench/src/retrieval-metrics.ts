/** Binary-relevance retrieval metrics over one ranked list, as LongMemEval scores them. */
export interface RankingScores {
  recallAnyAt1: number;
  recallAnyAt5: number;
  recallAnyAt10: number;
  recallAllAt1: number;
  recallAllAt5: number;
  recallAllAt10: number;
  ndcgAt10: number;
  /** Reciprocal rank of the first relevant result within the top 10 (0 when none). */
  mrrAt10: number;
}

export const rankingMetrics = [
  'recallAnyAt1',
  'recallAnyAt5',
  'recallAnyAt10',
  'recallAllAt1',
  'recallAllAt5',
  'recallAllAt10',
  'ndcgAt10',
  'mrrAt10',
] as const satisfies readonly (keyof RankingScores)[];

/** A figure as the benchmarks print it: four decimals. */
export const round = (value: number) => Number(value.toFixed(4));

/** Each metric's short name in figure keys (`ours_all10`, …). */
export const metricKey: Record<(typeof rankingMetrics)[number], string> = {
  recallAnyAt1: 'any1',
  recallAnyAt5: 'any5',
  recallAnyAt10: 'any10',
  recallAllAt1: 'all1',
  recallAllAt5: 'all5',
  recallAllAt10: 'all10',
  ndcgAt10: 'ndcg10',
  mrrAt10: 'mrr10',
};

export function scoreRanking(ranked: readonly string[], relevant: ReadonlySet<string>): RankingScores {
  const foundIn = (k: number) => ranked.slice(0, k).filter((id) => relevant.has(id)).length;
  const all = (k: number) => (foundIn(k) === relevant.size ? 1 : 0);
  let dcg = 0;
  ranked.slice(0, 10).forEach((id, index) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(index + 2);
  });
  let ideal = 0;
  for (let index = 0; index < Math.min(relevant.size, 10); index += 1) ideal += 1 / Math.log2(index + 2);
  const first = ranked.slice(0, 10).findIndex((id) => relevant.has(id));
  return {
    recallAnyAt1: foundIn(1) > 0 ? 1 : 0,
    recallAnyAt5: foundIn(5) > 0 ? 1 : 0,
    recallAnyAt10: foundIn(10) > 0 ? 1 : 0,
    recallAllAt1: all(1),
    recallAllAt5: all(5),
    recallAllAt10: all(10),
    ndcgAt10: ideal === 0 ? 0 : dcg / ideal,
    mrrAt10: first === -1 ? 0 : 1 / (first + 1),
  };
}

/** Mean of each metric over many questions. */
export function meanScores(all: readonly RankingScores[]): RankingScores {
  const mean = (key: keyof RankingScores) =>
    all.length === 0 ? 0 : all.reduce((sum, s) => sum + s[key], 0) / all.length;
  return Object.fromEntries(rankingMetrics.map((key) => [key, mean(key)])) as unknown as RankingScores;
}
