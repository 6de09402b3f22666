import { describe, expect, it } from 'vitest';
import type { Episode } from '../types.js';
import { diversify } from './diversify.js';
import type { RetrievedEpisode } from './retrieval-result.js';

const result = (id: string, score: number): RetrievedEpisode => ({
  episode: { id } as Episode,
  score,
  why: {
    text: null,
    vector: null,
    expansion: null,
    proximity: null,
    time: null,
    recency: { ageDays: 0, contribution: 0 },
    outcome: { successRate: null, contribution: 0 },
  },
});

const vectors: Record<string, Float32Array> = {
  a: Float32Array.of(1, 0),
  twin: Float32Array.of(1, 0.01),
  other: Float32Array.of(0, 1),
};
const vectorOf = (id: string) => vectors[id] ?? null;
const order = (ranked: RetrievedEpisode[]) => ranked.map((entry) => entry.episode.id);

describe('diversify (MMR)', () => {
  const ranked = [result('a', 1), result('twin', 0.95), result('other', 0.9), result('tail', 0.1)];

  it('moves a near-duplicate of a better result below a different one', () => {
    expect(order(diversify(ranked, vectorOf, 0.5, 3))).toEqual(['a', 'other', 'twin', 'tail']);
  });

  it('keeps the fused order at lambda 1 (the default)', () => {
    expect(order(diversify(ranked, vectorOf, 1, 3))).toEqual(['a', 'twin', 'other', 'tail']);
  });
});
