import { StaticEmbeddingsError } from './static-embeddings-error.js';

/** A tokenizer.json `pre_tokenizer`: cuts a normalised text into the words the model sees. */
export type PreTokenizer = (text: string) => string[];

// Hugging Face's BERT punctuation: ASCII punctuation (which includes symbols like `$` and `+`) and Unicode P*.
const bertPieces = /[!-/:-@[-`{-~\p{P}]|[^!-/:-@[-`{-~\p{P}\p{White_Space}]+/gu;
const wordChar = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}`;
// `Whitespace`: Rust regex `\w+|[^\w\s]+`, whose `\w` is Unicode-aware.
const wordOrSymbols = new RegExp(`[${wordChar}]+|[^${wordChar}\\p{White_Space}]+`, 'gu');
const nonSpace = /[^\p{White_Space}]+/gu;
const punctuationPieces = /\p{P}|[^\p{P}]+/gu;

function matches(pattern: RegExp): PreTokenizer {
  return (text) => text.match(pattern) ?? [];
}

function metaspace(spec: Record<string, unknown>): PreTokenizer {
  const mark = spec.replacement ?? '\u2581';
  // Hugging Face's is one character; an empty one would make the split below loop forever.
  if (typeof mark !== 'string' || mark === '')
    throw new StaticEmbeddingsError(
      'MODEL_INVALID',
      `tokenizer.json: pre_tokenizer Metaspace has the replacement ${JSON.stringify(mark)}, not a character.`,
    );
  // Older files say `add_prefix_space`; newer ones `prepend_scheme` (`always`, `first`, `never`).
  const prepend = spec.prepend_scheme ?? (spec.add_prefix_space === false ? 'never' : 'always');
  const split = spec.split !== false;
  return (text) => {
    let marked = text.replaceAll(' ', mark);
    if (prepend !== 'never' && !marked.startsWith(mark)) marked = mark + marked;
    if (!split) return marked === '' ? [] : [marked];
    // Each mark starts a new word and stays at its front (Hugging Face's `MergedWithNext`).
    const words: string[] = [];
    let start = 0;
    for (let at = marked.indexOf(mark, 1); at !== -1; at = marked.indexOf(mark, at + mark.length)) {
      words.push(marked.slice(start, at));
      start = at;
    }
    if (start < marked.length) words.push(marked.slice(start));
    return words;
  };
}

/** The pre-tokenizers model2vec's published tokenizers use. */
export function createPreTokenizer(config: unknown): PreTokenizer {
  if (config === null || config === undefined) return (text) => (text === '' ? [] : [text]);
  const spec = config as Record<string, unknown>;
  switch (spec.type) {
    case 'BertPreTokenizer':
      return matches(bertPieces);
    case 'Whitespace':
      return matches(wordOrSymbols);
    case 'WhitespaceSplit':
      return matches(nonSpace);
    case 'Punctuation':
      return matches(punctuationPieces);
    case 'Digits':
      return matches(spec.individual_digits === true ? /\p{Nd}|[^\p{Nd}]+/gu : /\p{Nd}+|[^\p{Nd}]+/gu);
    case 'Metaspace':
      return metaspace(spec);
    case 'Sequence': {
      const steps = (Array.isArray(spec.pretokenizers) ? spec.pretokenizers : []).map(createPreTokenizer);
      return (text) => steps.reduce<string[]>((words, step) => words.flatMap(step), [text]);
    }
    default:
      throw new StaticEmbeddingsError(
        'MODEL_UNSUPPORTED',
        `tokenizer.json: pre_tokenizer "${String(spec.type)}" is not supported.`,
      );
  }
}
