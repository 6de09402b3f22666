import { describe, expect, it } from 'vitest';
import { clip, shorten, TextBudget } from './text-budget.js';

/** Whether `text` has a surrogate half on its own, which UTF-8 cannot encode. */
const loneSurrogate = (text: string) =>
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

describe('TextBudget', () => {
  it('keeps the header and whole blocks within the budget, and counts only the blocks left out', () => {
    const budget = new TextBudget(80, 'head');
    expect(budget.add('first block')).toBe(true);
    expect(budget.add('second')).toBe(true);
    expect(budget.add('x'.repeat(60))).toBe(false);
    // Once a block is left out, later ones are too: the answer never skips from rank 2 to rank 4.
    expect(budget.add('4')).toBe(false);
    // The note fits too: `second` makes room for it (the note ran past maxChars by its length).
    const answer = budget.toString('raise maxChars.');
    expect(answer).toBe('head\nfirst block\n… 3 more left out to stay within maxChars; raise maxChars.');
    expect(answer.length).toBeLessThanOrEqual(80);
  });

  it('keeps the header and the whole note when they alone pass the budget', () => {
    const budget = new TextBudget(40, 'five past episodes');
    budget.add('x'.repeat(50));
    expect(budget.toString('raise maxChars.')).toBe(
      'five past episodes\n… 1 more left out to stay within maxChars; raise maxChars.',
    );
  });

  it('adds no note when everything fit', () => {
    const budget = new TextBudget(100, 'all of it');
    expect(budget.toString('unused')).toBe('all of it');
  });
});

describe('clip', () => {
  it('shows a lone surrogate (an agent may send one) as U+FFFD, never echoes it', () => {
    expect(clip('broken \ud800 high and \udfff low \u{1F600}', 100)).toBe(
      'broken \ufffd high and \ufffd low \u{1F600}',
    );
  });

  it('clips text to one line of at most max characters', () => {
    expect(clip('a\n  b\tc', 10)).toBe('a b c');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });

  it('never cuts an emoji in half', () => {
    for (let max = 2; max < 12; max += 1) {
      const clipped = clip('ab😀😀😀😀😀😀', max);
      expect(clipped.length).toBeLessThanOrEqual(max);
      expect(loneSurrogate(clipped), clipped).toBe(false);
    }
  });

  it('drops terminal colour codes and shows other control characters as U+FFFD', () => {
    expect(clip('\u001b[31m\u001b[1m✗\u001b[0m failed', 40)).toBe('✗ failed');
    expect(clip('PK\u0003\u0004\u0000\u007f bin', 40)).toBe('PK\ufffd\ufffd\ufffd\ufffd bin');
  });
});

describe('shorten', () => {
  it('keeps text as it is up to max characters, mark included, and says how much was cut', () => {
    expect(shorten('line 1\nline 2', 100)).toBe('line 1\nline 2');
    const cut = shorten('x'.repeat(5000), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/^x+… \[\d+ more characters\]$/);
    expect(Number(/\[(\d+) more/.exec(cut)?.[1]) + cut.indexOf('…')).toBe(5000);
  });

  it('never cuts an emoji in half', () => {
    for (let max = 40; max < 44; max += 1) expect(loneSurrogate(shorten('😀'.repeat(100), max))).toBe(false);
  });
});
