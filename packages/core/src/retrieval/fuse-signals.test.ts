import { describe, expect, it } from 'vitest';
import type { Episode } from '../types.js';
import { fuseSignals } from './fuse-signals.js';
import { retrievalConfigSchema } from './retrieval-config.js';

const now = Date.parse('2026-06-01T00:00:00Z');
const dayMs = 86_400_000;

function episode(id: string, ageDays: number, successRate: number | null): Episode {
  return {
    id,
    taskType: 'debugging',
    domain: 'web',
    context: null,
    status: successRate === null ? 'active' : 'completed',
    successRate,
    createdAt: new Date(now - ageDays * dayMs).toISOString(),
    completedAt: null,
    metadata: null,
    embeddingVersion: null,
  };
}

const episodes = new Map(
  [episode('a', 0, 1), episode('b', 30, 0.5), episode('c', 60, null), episode('gone', 0, 1)].map((e) => [
    e.id,
    e,
  ]),
);

describe('fuseSignals', () => {
  it('adds reciprocal-rank, recency and outcome contributions as documented', () => {
    const config = retrievalConfigSchema.parse({ rankConstant: 10 });
    const weights = { text: 1, step: 0.5, vector: 2, recency: 0.1, outcome: 0.2 };
    const results = fuseSignals(
      {
        text: [
          { episodeId: 'b', bm25: 7.5, step: { stepNumber: 3, bm25: 4, rank: 2 } },
          { episodeId: 'a', bm25: 2, step: null },
        ],
        vector: [{ episodeId: 'a', similarity: 0.9, kind: 'step_error', stepNumber: 2 }],
        episodes,
        now,
        limit: 10,
      },
      config,
      weights,
    );
    const [a, b] = results;
    expect(results.map((r) => r.episode.id)).toEqual(['a', 'b']);
    expect(a?.why.text).toEqual({
      rank: 2,
      bm25: 2,
      matchedIn: 'episode',
      stepNumber: null,
      contribution: 11 / 12,
    });
    expect(a?.why.vector).toEqual({
      rank: 1,
      similarity: 0.9,
      matchedIn: 'step_error',
      stepNumber: 2,
      contribution: 2,
    });
    expect(a?.why.recency).toEqual({ ageDays: 0, contribution: 0.1 });
    expect(a?.why.outcome).toEqual({ successRate: 1, contribution: 0.2 });
    expect(a?.score).toBeCloseTo(11 / 12 + 2 + 0.1 + 0.2, 10);
    // the episode's own rank 1, plus its step's rank 2 at the step weight
    expect(b?.why.text).toMatchObject({ rank: 1, matchedIn: 'step', stepNumber: 3 });
    expect(b?.why.text?.contribution).toBeCloseTo(1 + 0.5 * (11 / 12), 10);
    expect(b?.why.vector).toBeNull();
    // recency halves at the half-life (30 days by default)
    expect(b?.why.recency.contribution).toBeCloseTo(0.05, 10);
    expect(b?.score).toBeCloseTo(1 + 0.5 * (11 / 12) + 0.05 + 0.1, 10);
  });

  it('ranks only candidates that passed the filters, and keeps the best `limit`', () => {
    const config = retrievalConfigSchema.parse({});
    const weights = { text: 1, step: 0, vector: 1, recency: 0, outcome: 0 };
    const results = fuseSignals(
      {
        text: [
          { episodeId: 'gone-for-good', bm25: 9, step: null },
          { episodeId: 'c', bm25: 3, step: null },
          { episodeId: 'b', bm25: 1, step: null },
        ],
        vector: [],
        episodes,
        now,
        limit: 1,
      },
      config,
      weights,
    );
    expect(results).toHaveLength(1);
    expect(results[0]?.episode.id).toBe('c');
    expect(results[0]?.why.text?.rank).toBe(1);
    expect(results[0]?.why.outcome).toEqual({ successRate: null, contribution: 0 });
  });
});
