/** An episode's place in a ranking: the rank of its best full-text row (FTS5's, lower is better). */
export interface RankedRow {
  episodeId: string;
  rank: number;
}

/** Best rank first, then by id: the order every ranking here is cut in. */
export const byRank = (a: RankedRow, b: RankedRow) => a.rank - b.rank || (a.episodeId < b.episodeId ? -1 : 1);

/**
 * Whether the rows not looked up cannot change the best `limit` episodes of those looked up
 * (`ranked`): rows are best first, so none left out ranks better than `next`, the first of them.
 */
export function settled(
  ranked: readonly RankedRow[],
  limit: number,
  next: { rank: number } | undefined,
): boolean {
  const last = ranked[limit - 1];
  return next === undefined || (last !== undefined && last.rank < next.rank);
}
