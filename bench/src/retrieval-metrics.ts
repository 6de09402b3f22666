/** Binary-relevance retrieval metrics over one ranked list, as LongMemEval scores them. */
export interface RankingScores {
  recallAnyAt5: number;
  recallAllAt5: number;
  recallAllAt10: number;
  ndcgAt10: number;
}

export function scoreRanking(ranked: readonly string[], relevant: ReadonlySet<string>): RankingScores {
  const foundIn = (k: number) => ranked.slice(0, k).filter((id) => relevant.has(id)).length;
  let dcg = 0;
  ranked.slice(0, 10).forEach((id, index) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(index + 2);
  });
  let ideal = 0;
  for (let index = 0; index < Math.min(relevant.size, 10); index += 1) ideal += 1 / Math.log2(index + 2);
  return {
    recallAnyAt5: foundIn(5) > 0 ? 1 : 0,
    recallAllAt5: foundIn(5) === relevant.size ? 1 : 0,
    recallAllAt10: foundIn(10) === relevant.size ? 1 : 0,
    ndcgAt10: ideal === 0 ? 0 : dcg / ideal,
  };
}

/** Mean of each metric over many questions. */
export function meanScores(all: readonly RankingScores[]): RankingScores {
  const mean = (key: keyof RankingScores) =>
    all.length === 0 ? 0 : all.reduce((sum, s) => sum + s[key], 0) / all.length;
  return {
    recallAnyAt5: mean('recallAnyAt5'),
    recallAllAt5: mean('recallAllAt5'),
    recallAllAt10: mean('recallAllAt10'),
    ndcgAt10: mean('ndcgAt10'),
  };
}
