import { describe, expect, it } from 'vitest';
import { windowedSubsequences } from './subsequences.js';

const of = (items: string[], window = 3, maxLength = 3, maxResults = 100) =>
  windowedSubsequences(items, { minLength: 2, maxLength, window, maxResults });

describe('windowedSubsequences', () => {
  it('finds contiguous n-grams and ordered subsequences with gaps inside the window', () => {
    expect(of(['a', 'b', 'c', 'd'])).toEqual([
      { actions: ['a', 'b'], contiguous: true },
      { actions: ['a', 'b', 'c'], contiguous: true },
      { actions: ['a', 'c'], contiguous: false },
      { actions: ['b', 'c'], contiguous: true },
      { actions: ['b', 'c', 'd'], contiguous: true },
      { actions: ['b', 'd'], contiguous: false },
      { actions: ['c', 'd'], contiguous: true },
    ]);
  });

  it('never spans more than the window, and with window = maxLength mines only n-grams', () => {
    const found = of(['a', 'x', 'y', 'b'], 3).map((s) => s.actions.join(''));
    expect(found).not.toContain('ab');
    expect(of(['a', 'b', 'c'], 2, 2)).toEqual([
      { actions: ['a', 'b'], contiguous: true },
      { actions: ['b', 'c'], contiguous: true },
    ]);
  });

  it('reports each sequence once, contiguous if any occurrence is', () => {
    const found = of(['a', 'x', 'b', 'a', 'b'], 3, 2);
    expect(found.filter((s) => s.actions.join('') === 'ab')).toEqual([
      { actions: ['a', 'b'], contiguous: true },
    ]);
  });

  it('reads an item with several names under each of them, in every combination', () => {
    const found = windowedSubsequences([['a×2+', 'a'], 'b', ['c×2+', 'c']], {
      minLength: 2,
      maxLength: 2,
      window: 3,
      maxResults: 100,
    });
    expect(found.map((s) => `${s.actions.join(' ')} ${s.contiguous}`)).toEqual([
      'a×2+ b true',
      'a b true',
      'a×2+ c×2+ false',
      'a×2+ c false',
      'a c×2+ false',
      'a c false',
      'b c×2+ true',
      'b c true',
    ]);
  });

  it('stops adding sequences at maxResults and does linear work on long input', () => {
    expect(of(['a', 'b', 'c', 'd', 'e'], 3, 3, 2)).toHaveLength(2);
    const long = Array.from({ length: 50_000 }, (_, i) => `t${i % 7}`);
    expect(of(long, 4, 3, 1000).length).toBeLessThanOrEqual(1000);
  });
});
