import { describe, expect, it } from 'vitest';
import { clip, shorten, TextBudget } from './text-budget.js';

/** Whether `text` has a surrogate half on its own, which UTF-8 cannot encode. */
const loneSurrogate = (text: string) =>
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

describe('TextBudget', () => {
  it('keeps the header and whole blocks within the budget, and counts only the blocks left out', () => {
    const budget = new TextBudget(80, 'head', 'raise maxChars.');
    expect(budget.add('first block')).toBe(true);
    expect(budget.add('second')).toBe(true);
    expect(budget.add('x'.repeat(60))).toBe(false);
    // Once a block is left out, later ones are too: the answer never skips from rank 2 to rank 4.
    expect(budget.add('4')).toBe(false);
    // The note fits too: `second` makes room for it (the note ran past maxChars by its length).
    const answer = budget.toString();
    expect(answer).toBe('head\nfirst block\n… 3 more left out to stay within maxChars; raise maxChars.');
    expect(answer.length).toBeLessThanOrEqual(80);
  });

  it('keeps the header and the whole note when they alone pass the budget', () => {
    const budget = new TextBudget(40, 'five past episodes', 'raise maxChars.');
    budget.add('x'.repeat(50));
    expect(budget.toString()).toBe(
      'five past episodes\n… 1 more left out to stay within maxChars; raise maxChars.',
    );
  });

  it('adds no note when everything fit', () => {
    const budget = new TextBudget(100, 'all of it', 'unused');
    expect(budget.toString()).toBe('all of it');
  });

  it('shows a block that does not fit in its one-line form, sized to the room left, and says so', () => {
    const budget = new TextBudget(160, 'two past episodes', 'raise maxChars.');
    const oneLine = (id: string) => (room: number) =>
      `[episode ${id}] ${'context '.repeat(20)}`.slice(0, room);
    expect(budget.add('x'.repeat(200), oneLine('e1'))).toBe(true);
    // Nothing left for the second, whole or short.
    expect(budget.add('y'.repeat(200), oneLine('e2'))).toBe(false);
    const answer = budget.toString();
    expect(answer).toMatch(
      /^two past episodes\n\[episode e1\] context[^\n]*\n… 1 shown in one line, 1 more left out to stay within maxChars; raise maxChars\.$/,
    );
    expect(answer.length).toBeLessThanOrEqual(160);
    // A whole block that fit until the note needed its room is shown in one line rather than dropped.
    const noted = new TextBudget(200, 'three past episodes', 'raise maxChars.');
    expect(noted.add('a'.repeat(130), oneLine('e1'))).toBe(true);
    expect(noted.add('b'.repeat(200), oneLine('e2'))).toBe(false);
    const withNote = noted.toString();
    expect(withNote).toMatch(
      /^three past episodes\n\[episode e1\][^\n]*\n… 1 shown in one line, 1 more left out/,
    );
    expect(withNote.length).toBeLessThanOrEqual(200);
    // A block with no short form that fits is left out, as before.
    const tight = new TextBudget(160, 'two past episodes', 'raise maxChars.');
    expect(tight.add('x'.repeat(200), () => 'z'.repeat(500))).toBe(false);
    expect(tight.toString()).toBe(
      'two past episodes\n… 1 more left out to stay within maxChars; raise maxChars.',
    );
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
