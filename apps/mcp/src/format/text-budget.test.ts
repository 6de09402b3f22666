import { describe, expect, it } from 'vitest';
import { clip, TextBudget } from './text-budget.js';

describe('TextBudget', () => {
  it('keeps whole blocks within the budget and says how many it left out', () => {
    const budget = new TextBudget(25);
    expect(budget.add('first block')).toBe(true);
    expect(budget.add('second block')).toBe(true);
    expect(budget.add('third')).toBe(false);
    // Once a block is left out, later ones are too: the answer never skips from rank 2 to rank 4.
    expect(budget.add('4')).toBe(false);
    expect(budget.toString('raise maxChars.')).toBe(
      'first block\nsecond block\n… 2 more left out to stay within maxChars; raise maxChars.',
    );
  });

  it('adds no note when everything fit', () => {
    const budget = new TextBudget(100);
    budget.add('all of it');
    expect(budget.toString('unused')).toBe('all of it');
  });

  it('clips text to one line of at most max characters', () => {
    expect(clip('a\n  b\tc', 10)).toBe('a b c');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });
});
