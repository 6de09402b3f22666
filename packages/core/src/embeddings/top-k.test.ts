import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK } from './top-k.js';

describe('topK', () => {
  it('returns the positions of the k largest scores, best first, earlier position first on ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 50 }),
        (scores, k) => {
          const expected = scores
            .map((score, index) => ({ score, index }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, k)
            .map((entry) => entry.index);
          expect(topK(scores, scores.length, k)).toEqual(expected);
        },
      ),
    );
  });

  it('looks only at the first `count` scores', () => {
    expect(topK([1, 9, 3, 100], 3, 2)).toEqual([1, 2]);
  });
});
