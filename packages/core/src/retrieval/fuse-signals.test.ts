import { describe, expect, it } from 'vitest';
import type { VectorHit } from '../embeddings/vector-rows.js';
import type { Episode } from '../types.js';
import { fuseSignals } from './fuse-signals.js';
import { retrievalConfigSchema } from './retrieval-config.js';
import type { TextCandidate } from './text-candidates.js';

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

const noExtras = { expansion: 0, proximity: 0, time: 0 };
const noRankings = { expansion: [], proximity: [], windows: [] };

describe('fuseSignals', () => {
  it('adds reciprocal-rank, recency and outcome contributions as documented (text by rank)', () => {
    const config = retrievalConfigSchema.parse({ rankConstant: 10, textFusion: 'rank' });
    const weights = { ...noExtras, text: 1, step: 0.5, vector: 2, recency: 0.1, outcome: 0.2 };
    const results = fuseSignals(
      {
        text: [
          { episodeId: 'b', bm25: 7.5, step: { stepNumber: 3, bm25: 4, rank: 2 } },
          { episodeId: 'a', bm25: 2, step: null },
        ],
        vector: [{ episodeId: 'a', similarity: 0.9, kind: 'step_error', stepNumber: 2 }],
        ...noRankings,
        episodes,
        now,
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
      stepRank: null,
      contribution: 11 / 12,
      stepContribution: 0,
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
    expect(b?.why.text).toMatchObject({ rank: 1, matchedIn: 'step', stepNumber: 3, stepRank: 2 });
    expect(b?.why.text?.contribution).toBeCloseTo(1 + 0.5 * (11 / 12), 10);
    // The step's part is said apart: an agent sees what the whole episode's match gave.
    expect(b?.why.text?.stepContribution).toBeCloseTo(0.5 * (11 / 12), 10);
    expect(b?.why.vector).toBeNull();
    // recency halves at the half-life (30 days by default)
    expect(b?.why.recency.contribution).toBeCloseTo(0.05, 10);
    expect(b?.score).toBeCloseTo(1 + 0.5 * (11 / 12) + 0.05 + 0.1, 10);
  });

  it('by default scores text by BM25 over the best match: a far better match keeps its lead', () => {
    const weights = { ...noExtras, text: 1, step: 0.2, vector: 0.2, recency: 0, outcome: 0 };
    const fuse = (text: TextCandidate[], vector: VectorHit[], config = retrievalConfigSchema.parse({})) =>
      fuseSignals({ text, vector, ...noRankings, episodes, now }, config, weights);
    // b's text match is far weaker than a's; its best step and its vector rank first.
    const stepAndVector = (id: string) => ({
      step: { stepNumber: 2, bm25: 3, rank: 1 },
      vector: [{ episodeId: id, similarity: 0.8, kind: 'episode' as const, stepNumber: null }],
    });
    const weak = stepAndVector('b');
    const [a, b] = fuse(
      [
        { episodeId: 'a', bm25: 10, step: null },
        { episodeId: 'b', bm25: 4, step: weak.step },
      ],
      weak.vector,
    );
    expect([a?.episode.id, b?.episode.id]).toEqual(['a', 'b']);
    expect(a?.why.text?.contribution).toBeCloseTo(1, 10);
    expect(b?.why.text?.contribution).toBeCloseTo(0.4 + 0.2, 10);
    expect(b?.score).toBeCloseTo(0.4 + 0.2 + 0.2, 10);
    // Between comparable text matches the other signals decide.
    const close = stepAndVector('b');
    const ranked = fuse(
      [
        { episodeId: 'a', bm25: 10, step: null },
        { episodeId: 'b', bm25: 9.5, step: close.step },
      ],
      close.vector,
    );
    expect(ranked.map((r) => r.episode.id)).toEqual(['b', 'a']);
    // By rank, the same weak match would have come first: ranks 1 and 2 differ by 1/61 of the weight.
    const byRank = fuse(
      [
        { episodeId: 'a', bm25: 10, step: null },
        { episodeId: 'b', bm25: 4, step: weak.step },
      ],
      weak.vector,
      retrievalConfigSchema.parse({ textFusion: 'rank' }),
    );
    expect(byRank.map((r) => r.episode.id)).toEqual(['b', 'a']);
  });

  it('ranks only candidates that passed the filters', () => {
    const config = retrievalConfigSchema.parse({});
    const weights = { ...noExtras, text: 1, step: 0, vector: 1, recency: 0, outcome: 0 };
    const results = fuseSignals(
      {
        text: [
          { episodeId: 'gone-for-good', bm25: 9, step: null },
          { episodeId: 'c', bm25: 3, step: null },
          { episodeId: 'b', bm25: 1, step: null },
        ],
        vector: [],
        ...noRankings,
        episodes,
        now,
      },
      config,
      weights,
    );
    expect(results.map((r) => r.episode.id)).toEqual(['c', 'b']);
    expect(results[0]?.episode.id).toBe('c');
    expect(results[0]?.why.text?.rank).toBe(1);
    // The text score is measured against the best match that passed them, not the one left out.
    expect(results[0]?.why.text?.contribution).toBeCloseTo(1, 10);
    expect(results[1]?.why.text?.contribution).toBeCloseTo(1 / 3, 10);
    expect(results[0]?.why.outcome).toEqual({ successRate: null, contribution: 0 });
  });

  it('adds the expanded and proximity ranks, and the time weight inside a named date', () => {
    const config = retrievalConfigSchema.parse({ rankConstant: 10 });
    const weights = {
      text: 1,
      step: 0,
      vector: 0,
      recency: 0,
      outcome: 0,
      expansion: 3,
      proximity: 0.5,
      time: 0.3,
    };
    const createdA = Date.parse(episodes.get('a')?.createdAt as string);
    const results = fuseSignals(
      {
        text: [{ episodeId: 'b', bm25: 5, step: null }],
        vector: [],
        expansion: ['b', 'a'],
        proximity: ['a'],
        windows: [{ start: createdA - 1000, end: createdA + 1000 }],
        episodes,
        now,
      },
      config,
      weights,
    );
    const [b, a] = results;
    expect(results.map((r) => r.episode.id)).toEqual(['b', 'a']);
    expect(b?.why.expansion).toEqual({ rank: 1, contribution: 3 });
    expect(b?.why.time).toBeNull();
    expect(a?.why.text).toBeNull();
    expect(a?.why.expansion).toEqual({ rank: 2, contribution: 3 * (11 / 12) });
    expect(a?.why.proximity).toEqual({ rank: 1, contribution: 0.5 });
    expect(a?.why.time).toEqual({ contribution: 0.3 });
    expect(a?.score).toBeCloseTo(3 * (11 / 12) + 0.5 + 0.3, 10);
    expect(b?.score).toBeCloseTo(1 + 3, 10);
  });
});
