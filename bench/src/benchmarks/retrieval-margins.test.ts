import { describe, expect, it } from 'vitest';
import type { RankingScores } from '../retrieval-metrics.js';
import { describeWeakest, weakestFigure } from './retrieval-margins.js';

const scores = (any1: number, any5: number): RankingScores => ({
  recallAnyAt1: any1,
  recallAnyAt5: any5,
  recallAnyAt10: any5,
  recallAllAt1: any1,
  recallAllAt5: any5,
  recallAllAt10: any5,
  ndcgAt10: 0,
  mrrAt10: any1,
});

describe('weakestFigure', () => {
  // Ours wins any@1 on two queries of four and loses any@5 on one, against BM25; text only ties.
  const entry = {
    name: 'coding',
    metrics: ['recallAnyAt1', 'recallAnyAt5'] as const,
    perQuery: {
      ours: [scores(1, 1), scores(1, 0), scores(0, 1), scores(0, 1)],
      bm25: [scores(0, 1), scores(0, 1), scores(0, 1), scores(0, 1)],
      textonly: [scores(1, 1), scores(1, 0), scores(0, 1), scores(0, 1)],
    },
  };

  it('picks the figure where ours is furthest behind, with its interval', () => {
    const weakest = weakestFigure(entry, 'bm25');
    expect(weakest.metric).toBe('recallAnyAt5');
    expect(weakest.margin).toBe(-0.25);
    expect(weakest.low).toBeLessThan(weakest.margin);
    expect(weakest.high).toBe(0);
    expect(describeWeakest({ name: 'coding', ...weakest })).toMatch(
      /^coding any5 -0\.250 \[-\d\.\d{3}, \+0\.000\]$/,
    );
  });

  it('reads a tie as the first figure, at zero', () => {
    expect(weakestFigure(entry, 'textonly')).toEqual({ metric: 'recallAnyAt1', margin: 0, low: 0, high: 0 });
  });
});
