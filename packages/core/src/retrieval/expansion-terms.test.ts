import { describe, expect, it } from 'vitest';
import { heaviest } from './expansion-terms.js';

/** What `heaviest` stands in for: a stable sort of every entry, heaviest first, cut. */
const sortedCut = (weights: Map<string, number>, count: number) =>
  [...weights].sort((a, b) => b[1] - a[1]).slice(0, count);

describe('the heaviest words', () => {
  it('are what a stable sort of them all puts first, ties at the cut included', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round += 1) {
      const weights = new Map<string, number>();
      const size = 1 + Math.floor(next() * 300);
      // Few distinct weights: many ties, often across the cut.
      for (let i = 0; i < size; i += 1) weights.set(`w${i}`, Math.floor(next() * 12) / 7);
      for (const count of [1, 5, 100, size, size + 3])
        expect(heaviest(weights, count)).toEqual(sortedCut(weights, count));
    }
  });

  it('keep the first of equal weights in insertion order', () => {
    const weights = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 1],
      ['d', 1],
      ['e', 3],
    ]);
    expect(heaviest(weights, 3)).toEqual([
      ['e', 3],
      ['b', 2],
      ['a', 1],
    ]);
  });
});
