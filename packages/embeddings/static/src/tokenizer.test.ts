import { describe, expect, it } from 'vitest';
import { tokenId as id, tinyVocab } from './__fixtures__/tiny-model.js';
import { bertTokenizerJson } from './testing/write-static-model.js';
import { parseTokenizer } from './tokenizer.js';

const bert = parseTokenizer('tokenizer.json', bertTokenizerJson(tinyVocab));

describe('WordPiece with BERT normaliser and pre-tokenizer (potion-base-8M)', () => {
  it('lower-cases, splits punctuation and words into the longest known pieces', () => {
    expect(bert.encode('The build FAILS on a missing env-var!')).toEqual([
      id('the'),
      id('build'),
      id('fail'),
      id('##s'),
      id('on'),
      id('a'),
      id('missing'),
      id('env'),
      id('[UNK]'),
      id('var'),
      id('!'),
    ]);
  });

  it('strips accents, and greedy matching keeps going through ## pieces', () => {
    expect(bert.encode('Café\tunbelievable.')).toEqual([
      id('cafe'),
      id('un'),
      id('##believ'),
      id('##able'),
      id('.'),
    ]);
  });

  it('makes a word with any unknown part one unknown token, and a CJK ideograph a word of its own', () => {
    expect(bert.encode('unbelievablex')).toEqual([id('[UNK]')]);
    expect(bert.encode('東京')).toEqual([id('東'), id('[UNK]')]);
  });

  it('matches special tokens in the raw text, drops control characters and treats any space alike', () => {
    expect(bert.encode('[MASK] test')).toEqual([id('[MASK]'), id('test')]);
    expect(bert.encode('flaky\u0000 log\u200Bin\u00A0test')).toEqual([id('flaky'), id('login'), id('test')]);
    expect(bert.encode('')).toEqual([]);
  });

  it('knows its vocabulary size, unknown id and median token length', () => {
    expect(bert.vocabSize).toBe(tinyVocab.length);
    expect(bert.unkId).toBe(1);
    expect(bert.medianTokenLength).toBe(5);
  });
});

describe('Unigram with Metaspace (SentencePiece tokenizers)', () => {
  const unigram = parseTokenizer('tokenizer.json', {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    model: {
      type: 'Unigram',
      unk_id: 0,
      vocab: [
        ['<unk>', 0],
        ['\u2581', -2],
        ['\u2581the', -1],
        ['\u2581a', -3],
        ['b', -4],
        ['ab', -2.5],
        ['\u2581ab', -6],
        ['c', -5],
      ],
    },
  });

  it('picks the segmentation with the highest total score', () => {
    // ▁abc: ▁ + ab + c = -9.5 beats ▁ab + c = -11 and ▁a + b + c = -12.
    expect(unigram.encode('The abc')).toEqual([2, 1, 5, 7]);
  });

  it('fuses consecutive unknown characters into one unknown token', () => {
    expect(unigram.encode('xy')).toEqual([1, 0]);
  });

  it('spells an unknown character as its UTF-8 bytes with byte fallback', () => {
    const bytes = parseTokenizer('tokenizer.json', {
      pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'never' },
      model: {
        type: 'Unigram',
        unk_id: 0,
        byte_fallback: true,
        vocab: [
          ['<unk>', 0],
          ['<0xC3>', -5],
          ['<0xA9>', -5],
          ['caf', -1],
        ],
      },
    });
    expect(bytes.encode('café')).toEqual([3, 1, 2]);
  });
});

describe('unsupported or damaged tokenizers', () => {
  it('refuses a BPE model and an unknown normaliser by name', () => {
    expect(() => parseTokenizer('t.json', { model: { type: 'BPE', vocab: {}, merges: [] } })).toThrow(
      expect.objectContaining({ code: 'MODEL_UNSUPPORTED', message: expect.stringContaining('"BPE"') }),
    );
    expect(() =>
      parseTokenizer('t.json', { ...bertTokenizerJson(['[UNK]']), normalizer: { type: 'Mystery' } }),
    ).toThrow(
      expect.objectContaining({ code: 'MODEL_UNSUPPORTED', message: expect.stringContaining('Mystery') }),
    );
  });

  it('refuses a Replace regex JavaScript cannot run with a StaticEmbeddingsError, not a SyntaxError', () => {
    // Hugging Face runs these patterns with Oniguruma, whose `(?i)` and `[[:space:]]` JavaScript lacks.
    for (const regex of ['(?i)colour', '[[:space:]]+']) {
      const json = {
        ...bertTokenizerJson(['[UNK]']),
        normalizer: { type: 'Replace', pattern: { Regex: regex }, content: ' ' },
      };
      expect(() => parseTokenizer('t.json', json)).toThrow(
        expect.objectContaining({ code: 'MODEL_UNSUPPORTED', message: expect.stringContaining(regex) }),
      );
    }
  });

  it('refuses a Metaspace with an empty replacement, which would split a text forever', () => {
    const json = {
      ...bertTokenizerJson(['[UNK]']),
      pre_tokenizer: { type: 'Metaspace', replacement: '', prepend_scheme: 'always' },
    };
    expect(() => parseTokenizer('t.json', json)).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringContaining('replacement') }),
    );
  });

  it('says which field of a damaged tokenizer.json is wrong', () => {
    expect(() => parseTokenizer('t.json', { model: { type: 'WordPiece', vocab: { a: -1 } } })).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringContaining('vocab.a') }),
    );
    expect(() => parseTokenizer('t.json', [])).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
  });
});
