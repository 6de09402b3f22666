import { describe, expect, it } from 'vitest';
import { storableText } from './storable-text.js';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('storableText', () => {
  it('keeps a text that fits as it is', () => {
    expect(storableText('ok 😀', 10)).toBe('ok 😀');
  });

  it('never passes the limit with its mark, and never cuts an emoji in half', () => {
    for (const max of [40, 41, 42, 43, 100, 101]) {
      for (const text of [`${'😀'.repeat(200)}`, `a${'😀'.repeat(200)}`, 'x'.repeat(500)]) {
        const stored = storableText(text, max);
        expect(stored.length).toBeLessThanOrEqual(max);
        expect(loneSurrogate.test(stored)).toBe(false);
        const kept = stored.replace(/… \[(\d+) more characters\]$/, '');
        expect(kept.length + Number(stored.match(/\[(\d+) more/)?.[1])).toBe(text.length);
      }
    }
  });

  it('replaces what the store refuses (NUL, a lone surrogate) with U+FFFD', () => {
    expect(storableText('a\u0000b\uD800c\uDC00d', 100)).toBe('a\uFFFDb\uFFFDc\uFFFDd');
  });
});
