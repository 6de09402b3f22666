import { describe, expect, it } from 'vitest';
import { pairedMarginInterval } from './margin-interval.js';

describe('pairedMarginInterval', () => {
  it('is a point when every query differs by the same amount', () => {
    expect(pairedMarginInterval([1, 1, 0, 1], [0, 0, -1, 0])).toEqual({ margin: 1, low: 1, high: 1 });
    expect(pairedMarginInterval([0.5, 0.2], [0.5, 0.2])).toEqual({ margin: 0, low: 0, high: 0 });
  });

  it('spans zero when one query of sixty decides, and not when thirty do', () => {
    const base = Array.from({ length: 60 }, (_, i) => i % 2);
    const oneBetter = base.map((value, i) => (i === 0 ? 1 : value));
    const narrow = pairedMarginInterval(oneBetter, base);
    expect(narrow.margin).toBeCloseTo(1 / 60, 10);
    expect(narrow.low).toBeLessThanOrEqual(0);
    expect(narrow.high).toBeGreaterThan(0);
    const halfBetter = base.map((value, i) => (i % 2 === 0 ? 1 : value));
    const wide = pairedMarginInterval(halfBetter, base);
    expect(wide.margin).toBeCloseTo(0.5, 10);
    expect(wide.low).toBeGreaterThan(0.3);
    expect(wide.high).toBeLessThan(0.7);
  });

  it('gives the same interval in every run, and a wider one at higher confidence', () => {
    const ours = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1];
    const base = [0, 0, 1, 0, 1, 0, 1, 0, 0, 1];
    const first = pairedMarginInterval(ours, base);
    expect(pairedMarginInterval(ours, base)).toEqual(first);
    const wider = pairedMarginInterval(ours, base, { confidence: 0.99 });
    expect(wider.low).toBeLessThanOrEqual(first.low);
    expect(wider.high).toBeGreaterThanOrEqual(first.high);
    expect(first.low).toBeLessThan(first.margin);
    expect(first.high).toBeGreaterThan(first.margin);
  });

  it('mirrors when the two systems swap sides, with as many resampled means outside it on each side', () => {
    // Graded scores (NDCG-like), so that neighbouring resampled means differ.
    const ours = Array.from({ length: 40 }, (_, i) => ((i * 37) % 101) / 101);
    const base = Array.from({ length: 40 }, (_, i) => ((i * 53) % 97) / 97);
    const forward = pairedMarginInterval(ours, base);
    const swapped = pairedMarginInterval(base, ours);
    expect(swapped.margin).toBeCloseTo(-forward.margin, 12);
    expect(swapped.low).toBeCloseTo(-forward.high, 12);
    expect(swapped.high).toBeCloseTo(-forward.low, 12);
  });

  it('refuses scores that are not paired', () => {
    expect(() => pairedMarginInterval([1, 0], [1])).toThrow(/differ in length: 2 and 1/);
  });
});
