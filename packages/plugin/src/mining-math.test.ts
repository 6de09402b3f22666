import { describe, expect, it } from 'vitest';
import {
  addEpisodeToStats,
  countEpisodeInStats,
  emptyBaselineStats,
  removeEpisodeFromStats,
  toBaseline,
} from './baseline-stats.js';
import { canonicalJson } from './canonical-json.js';
import { addToHistogram, emptyHistogram, toDistribution } from './histogram.js';
import { wilsonLowerBound } from './wilson.js';

describe('wilsonLowerBound (95 %)', () => {
  it('matches published values and ranks more evidence above a lucky streak', () => {
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(0, 7)).toBe(0);
    expect(wilsonLowerBound(1, 1)).toBeCloseTo(0.2065, 4);
    expect(wilsonLowerBound(9, 10)).toBeCloseTo(0.5958, 4);
    expect(wilsonLowerBound(90, 100)).toBeCloseTo(0.8256, 4);
    expect(wilsonLowerBound(0, 10)).toBe(0);
    expect(wilsonLowerBound(9, 10)).toBeGreaterThan(wilsonLowerBound(1, 1));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson(['x', 'y'])).not.toBe(canonicalJson(['y', 'x']));
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('(data).n is NaN');
    expect(() => canonicalJson({ at: new Date(0) })).toThrow('non-plain object');
    expect(() => canonicalJson([() => 1])).toThrow('function');
  });

  it('names a cycle and a value nested too deep by their path, and takes a value shared by siblings', () => {
    const loop: Record<string, unknown> = { a: [1] };
    (loop.a as unknown[]).push(loop);
    expect(() => canonicalJson(loop)).toThrow('(data).a.1 is one of the values it sits in (a cycle)');
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i += 1) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/^\(data\)(\.0){64} nests deeper than 64 levels$/);
    const shared = { x: 1 };
    expect(canonicalJson({ b: shared, a: [shared] })).toBe('{"a":[{"x":1}],"b":{"x":1}}');
  });
});

describe('histogram and baselines', () => {
  it('gives exact medians for small counts and close ones for large values', () => {
    const of = (values: number[]) => toDistribution(values.reduce(addToHistogram, emptyHistogram()));
    expect(of([])).toBeNull();
    expect(of([3, 1, 2])).toEqual({ count: 3, mean: 2, median: 2 });
    expect(of([4, 1, 2, 8])).toMatchObject({ median: 3, mean: 3.75 });
    const large = of(Array.from({ length: 1001 }, (_, i) => 1000 + i * 10))!;
    expect(Math.abs(large.median - 6000) / 6000).toBeLessThan(0.03);
    const buckets = Array.from({ length: 10_000 }, (_, i) => i * 997).reduce(
      addToHistogram,
      emptyHistogram(),
    ).buckets;
    expect(Object.keys(buckets).length).toBeLessThan(300);
  });

  it('takes the median as the middle of the values sorted, each read as its bucket', () => {
    // Values spread over many buckets, added out of order; odd and even counts.
    const values = Array.from({ length: 41 }, (_, i) => ((i * 7919) % 97) * 211 + (i % 3));
    const bucketOf = (value: number) =>
      toDistribution(addToHistogram(emptyHistogram(), value))?.median as number;
    for (const count of [1, 2, 7, 40, 41]) {
      const some = values.slice(0, count);
      const histogram = some.reduce(addToHistogram, emptyHistogram());
      const sorted = some.map(bucketOf).sort((a, b) => a - b);
      const middle = (sorted[Math.floor((count - 1) / 2)]! + sorted[Math.ceil((count - 1) / 2)]!) / 2;
      expect(toDistribution(histogram)?.median).toBe(middle);
    }
  });

  it('counts episodes, successes and the successful runs separately', () => {
    let stats = emptyBaselineStats();
    stats = addEpisodeToStats(stats, { steps: 4, durationMs: 400 }, true);
    stats = addEpisodeToStats(stats, { steps: 10, durationMs: null }, false);
    expect(toBaseline(stats)).toEqual({
      episodes: 2,
      successes: 1,
      successRate: 0.5,
      steps: { count: 2, mean: 7, median: 7 },
      durationMs: expect.objectContaining({ count: 1, mean: 400 }),
      successful: {
        steps: { count: 1, mean: 4, median: 4 },
        durationMs: expect.objectContaining({ count: 1 }),
      },
    });
    expect(toBaseline(emptyBaselineStats())).toMatchObject({ episodes: 0, successRate: null, steps: null });
  });
});

describe('removeEpisodeFromStats', () => {
  const episodes = Array.from({ length: 40 }, (_, i) => ({
    measures: { steps: 1 + ((i * 7) % 23), durationMs: i % 5 === 0 ? null : 37 * i + 3 },
    succeeded: i % 3 !== 0,
  }));
  const fold = (list: typeof episodes) =>
    list.reduce(
      (stats, { measures, succeeded }) => addEpisodeToStats(stats, measures, succeeded),
      emptyBaselineStats(),
    );
  const all = fold(episodes);

  it('leaves exactly the stats of the episodes never counted, whichever one is removed', () => {
    for (const gone of [0, 3, 17, 39]) {
      const episode = episodes[gone]!;
      const without = removeEpisodeFromStats(all, episode.measures, episode.succeeded);
      // Compared as stored: bucket keys of zero are gone too.
      expect(JSON.stringify(without)).toBe(JSON.stringify(fold(episodes.filter((_, i) => i !== gone))));
    }
    const only = episodes[1]!;
    expect(removeEpisodeFromStats(fold([only]), only.measures, only.succeeded)).toEqual(emptyBaselineStats());
  });

  it('is what countEpisodeInStats does in place, counting each episode once less', () => {
    const inPlace = structuredClone(all);
    for (const { measures, succeeded } of episodes.slice(10))
      countEpisodeInStats(inPlace, measures, succeeded, -1);
    expect(JSON.stringify(inPlace)).toBe(JSON.stringify(fold(episodes.slice(0, 10))));
    for (const { measures, succeeded } of episodes.slice(10))
      countEpisodeInStats(inPlace, measures, succeeded, 1);
    expect(JSON.stringify(inPlace)).toBe(JSON.stringify(all));
  });
});
