import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './proportion-interval.js';

describe('wilsonInterval', () => {
  it('gives the textbook Wilson interval', () => {
    // 11 of 18 and 6 of 13: the τ-bench test precision and recall of session 6.
    const precision = wilsonInterval(11, 18);
    expect(precision.share).toBeCloseTo(0.6111, 4);
    expect(precision.low).toBeCloseTo(0.3862, 3);
    expect(precision.high).toBeCloseTo(0.7969, 3);
    const recall = wilsonInterval(6, 13);
    expect(recall.low).toBeCloseTo(0.2321, 3);
    expect(recall.high).toBeCloseTo(0.7086, 3);
  });

  it('is not a point at no hits or all hits, and narrows as n grows', () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeGreaterThan(0.2);
    expect(wilsonInterval(10, 10).low).toBeLessThan(0.8);
    const small = wilsonInterval(8, 10);
    const large = wilsonInterval(800, 1000);
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 5);
  });

  it('refuses what is not a count', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(/3 of 2/);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
    expect(wilsonInterval(0, 0)).toEqual({ share: 0, low: 0, high: 1 });
  });
});
