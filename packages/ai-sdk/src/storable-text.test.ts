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
        const [head = '', tail = ''] = stored.split(/… \[\d+ more characters\] …/u);
        expect(head.length + tail.length + Number(stored.match(/\[(\d+) more/)?.[1])).toBe(text.length);
        expect(text.startsWith(head) && text.endsWith(tail)).toBe(true);
      }
    }
  });

  it('keeps the start and the end of a long text: a test run says how it ended last', () => {
    const output = `$ npm test\n${'ok\n'.repeat(3000)}FAIL cart.test.ts: expected 42, got undefined`;
    const stored = storableText(output, 200);
    expect(stored.length).toBeLessThanOrEqual(200);
    expect(stored).toMatch(/^\$ npm test\nok\n/u);
    expect(stored).toMatch(/… \[8\d{3} more characters\] …/u);
    expect(stored.endsWith('FAIL cart.test.ts: expected 42, got undefined')).toBe(true);
  });

  it('replaces what the store refuses (NUL, a lone surrogate) with U+FFFD', () => {
    expect(storableText('a\u0000b\uD800c\uDC00d', 100)).toBe('a\uFFFDb\uFFFDc\uFFFDd');
  });
});
