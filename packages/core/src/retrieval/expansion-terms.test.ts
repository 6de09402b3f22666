import { describe, expect, it } from 'vitest';
import { indexedTerm, tokenRun } from '../search/indexed-term.js';
import { heaviest, select, termFrequencies } from './expansion-terms.js';

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

describe('selection', () => {
  it('finds the value a sort would put at each index, duplicates included', () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 300; round += 1) {
      const size = 1 + Math.floor(next() * 60);
      const distinct = 1 + Math.floor(next() * 10);
      const values = Float64Array.from({ length: size }, () => Math.floor(next() * distinct) / 3);
      const sorted = Float64Array.from(values).sort();
      for (let k = 0; k < size; k += 1) expect(select(Float64Array.from(values), k)).toBe(sorted[k]);
    }
  });
});

/** What the word counts stand in for: every Unicode token run, folded as FTS5 indexes it. */
function unicodeFrequencies(text: string) {
  const runs = text.match(tokenRun) ?? [];
  const tf = new Map<string, number>();
  for (const run of runs) tf.set(indexedTerm(run), (tf.get(indexedTerm(run)) ?? 0) + 1);
  return { tf: [...tf], tokens: runs.length };
}

describe('the word counts of a document', () => {
  it('are those of the Unicode token runs, in order of first occurrence, on either path', () => {
    const texts = [
      'The cat sat. THE CAT! the_cat 42x 42X',
      'Curly “quotes” — dashes… and emoji 🎉 around ASCII words: Tokyo, tokyo, TOKYO’s',
      'Café crème in Zürich, ÉCOLE école: accents take the Unicode path',
      'Ünïcödé first, then plain words',
      'Kelvin \u212a and K, dotted \u0130stanbul, Greek ΣΟΦΙΑ σοφια',
      'Circled \u24b6\u24b7 symbols, roman \u2160\u2161, fullwidth \uff21\uff22, private \ue000x',
      'a lone surrogate \ud800 between words, and a pair \ud83d\ude00 too',
      '',
      '  ...  ',
    ];
    for (const text of texts) {
      const { tf, tokens } = termFrequencies(text);
      expect({ tf: [...tf], tokens }).toEqual(unicodeFrequencies(text));
    }
  });

  it('may lower-case a whole text: no character outside the word classes becomes an ASCII letter or digit', () => {
    const word = /[\p{L}\p{N}\p{M}\p{Co}]/u;
    const asciiWord = /[a-z0-9]/;
    const offenders: number[] = [];
    for (let code = 0x80; code <= 0x10ffff; code += 1) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCodePoint(code);
      if (!word.test(char) && asciiWord.test(char.toLowerCase())) offenders.push(code);
    }
    expect(offenders).toEqual([]);
  });
});
