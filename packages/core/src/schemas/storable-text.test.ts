import { describe, expect, it } from 'vitest';
import { storableText } from './storable-text.js';
import { storedText } from './stored-text.js';

describe('storableText', () => {
  it('gives text the store accepts, within the limit, never cutting an emoji in half', () => {
    for (const max of [1, 2, 3, 10, 11, 100])
      for (const text of [
        '😀'.repeat(60),
        `a${'😀'.repeat(60)}`,
        'nul\u0000here',
        'lone \uD800 and \uDC00',
        'short',
      ]) {
        const stored = storableText(text, max);
        expect(storedText(max).safeParse(stored).success).toBe(true);
        if ([...text].length > max) expect(stored.endsWith('…')).toBe(true);
      }
  });

  it('keeps text that is already storable as it is, and marks what it replaced', () => {
    expect(storableText('ok 😀', 5)).toBe('ok 😀');
    expect(storableText('a\u0000b\uD800c', 10)).toBe('a\uFFFDb\uFFFDc');
    expect(storableText('😀😀😀', 2)).toBe('😀…');
  });

  it('counts code points, as the store does: text of emoji is cut at the limit, not at half of it', () => {
    const rockets = '🚀'.repeat(40);
    expect(storableText(rockets, 40)).toBe(rockets);
    expect(storableText(rockets, 30)).toBe(`${'🚀'.repeat(29)}…`);
    expect(storableText(rockets, 1)).toBe('…');
  });
});
