import { fnvOffset, fnvUpdate, fnvUpdateCode, mix } from './feature-hash.js';
import { stopwords } from './stopwords.js';

/** Texts longer than this are embedded by their beginning: bounded time per text. */
export const maxEmbeddedChars = 65_536;

/**
 * Relative weights of the three feature families. Character n-grams make `camera` and
 * `cameras`, or `timeout` and `timeouts`, land near each other (what a stemmer would do, in any
 * language); word bigrams keep a little word order (`connection refused` is not `refused connection`).
 */
const unigramWeight = 1;
const bigramWeight = 0.5;
const charGramWeight = 0.25;
const charGramSizes = [3, 4, 5] as const;
/** Words shorter than this get no character n-grams: they would only add noise. */
const minCharGramWord = 4;

// Distinct seeds keep the families apart: the word `abc` and the trigram `abc` are different features.
const unigramSeed = fnvUpdate(fnvOffset, 'w');
const bigramSeed = fnvUpdate(fnvOffset, 'b');
const charGramSeed = fnvUpdate(fnvOffset, 'c');
const wordStart = 0x02;
const wordEnd = 0x03;

const tokenPattern = /[\p{L}\p{M}\p{N}]+/gu;
const camelBoundary = /(\p{Ll})(\p{Lu})/gu;
const digitsOnly = /^\p{N}+$/u;

/** Lower-case words, with `camelCase` and `snake_case` identifiers split into their parts. */
export function words(text: string): string[] {
  const clipped = text.length > maxEmbeddedChars ? text.slice(0, maxEmbeddedChars) : text;
  return (clipped.normalize('NFKC').replace(camelBoundary, '$1 $2').toLowerCase().match(tokenPattern) ??
    []) as string[];
}

function count(counts: Map<number, number>, feature: number): void {
  counts.set(feature, (counts.get(feature) ?? 0) + 1);
}

function charGrams(counts: Map<number, number>, word: string): void {
  // The word framed by start and end marks, so prefixes and suffixes are features of their own.
  const framed = word.length + 2;
  const codeAt = (i: number) => (i === 0 ? wordStart : i === framed - 1 ? wordEnd : word.charCodeAt(i - 1));
  for (const size of charGramSizes) {
    for (let start = 0; start + size <= framed; start += 1) {
      let hash = charGramSeed;
      for (let i = start; i < start + size; i += 1) hash = fnvUpdateCode(hash, codeAt(i));
      count(counts, hash);
    }
  }
}

/** Adds `weight * (1 + ln count)` of each feature into its signed bucket. */
function fold(vector: Float32Array, counts: Map<number, number>, weight: number): void {
  for (const [feature, occurrences] of counts) {
    const hash = mix(feature);
    const bucket = hash % vector.length;
    const sign = hash & 0x80000000 ? -1 : 1;
    vector[bucket] = (vector[bucket] as number) + sign * weight * (1 + Math.log(occurrences));
  }
}

/**
 * The hashed n-gram vector of `text`: content-word unigrams and bigrams and character 3-5-grams
 * within words, each weighted by sublinear term frequency (1 + ln tf), hashed with a random sign
 * into `dimensions` buckets (signed hashing keeps collisions unbiased), then scaled to unit
 * length. A text with no content words gets the zero vector.
 */
export function hashedNgramVector(text: string, dimensions: number): Float32Array {
  const unigrams = new Map<number, number>();
  const bigrams = new Map<number, number>();
  const grams = new Map<number, number>();
  let previous: number | null = null;
  for (const word of words(text)) {
    if (stopwords.has(word)) continue;
    const hash = fnvUpdate(unigramSeed, word);
    count(unigrams, hash);
    if (previous !== null) count(bigrams, fnvUpdate(fnvUpdateCode(mix(bigramSeed ^ previous), 0x20), word));
    previous = hash;
    if (word.length >= minCharGramWord && !digitsOnly.test(word)) charGrams(grams, word);
  }
  const vector = new Float32Array(dimensions);
  fold(vector, unigrams, unigramWeight);
  fold(vector, bigrams, bigramWeight);
  fold(vector, grams, charGramWeight);
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < dimensions; i += 1) vector[i] = (vector[i] as number) * scale;
  }
  return vector;
}
