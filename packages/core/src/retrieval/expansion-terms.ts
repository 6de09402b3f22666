import { episodeDocSql } from '../search/episode-docs.js';
import { indexedTerm, tokenRun } from '../search/indexed-term.js';
import type { TermCounts } from './term-counts.js';

/** A token run of a lower-cased text whose only word characters are ASCII letters and digits. */
const asciiRun = /[a-z0-9]+/g;
/** Runs of non-ASCII characters, and whether one of them is a word character. */
const nonAscii = /[^\x00-\x7f]+/g;
// Any mark too: a diacritic continues a word FTS5 folds (`cafe\u0301s` is `cafes`), which ASCII runs would split.
const wordChar = /[\p{L}\p{N}\p{M}\p{Co}]/u;
/** Words weighed by their frequency first; only these are looked up in the vocabulary. */
const shortlist = 100;

/**
 * The `count` heaviest entries, heaviest first, equal weights in insertion order: what a stable
 * sort of them all would put first. A document has hundreds of words; only the kept ones are
 * sorted with a comparator, after the threshold is found by selection, not by sorting them all.
 */
export function heaviest(weights: ReadonlyMap<string, number>, count: number): [string, number][] {
  const byWeight = (a: [string, number], b: [string, number]) => b[1] - a[1];
  if (weights.size <= count) return [...weights].sort(byWeight);
  // forEach, not for…of: no [key, value] array is made for each of the hundreds of words.
  const values = new Float64Array(weights.size);
  let filled = 0;
  weights.forEach((weight) => {
    values[filled++] = weight;
  });
  const threshold = select(values, values.length - count);
  // Every weight above the threshold is kept, and the first of those equal to it until `count`.
  let above = 0;
  weights.forEach((weight) => {
    if (weight > threshold) above += 1;
  });
  let equal = count - above;
  const kept: [string, number][] = [];
  weights.forEach((weight, word) => {
    if (weight > threshold || (weight === threshold && equal-- > 0)) kept.push([word, weight]);
  });
  return kept.sort(byWeight);
}

/** The value that would be at index `k` of `values` sorted ascending (Hoare's selection; reorders `values`). */
export function select(values: Float64Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >>> 1] as number;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    // [low, j] ≤ pivot ≤ [i, high], and whatever lies between equals the pivot.
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return values[k] as number;
  }
  return values[k] as number;
}

/** Whether every word character of `text` (letter, digit, mark, private use) is ASCII. */
function asciiWords(text: string): boolean {
  for (const [chars] of text.matchAll(nonAscii)) if (wordChar.test(chars)) return false;
  return true;
}

/**
 * The words of `text` as FTS5's `unicode61` indexes them (`indexedTerm` of each token run), each
 * with its count, in order of first occurrence, and the number of runs. Most documents' word
 * characters are all ASCII (curly quotes, dashes and emoji are not word characters): their runs
 * are those of ASCII letters and digits, folded by lower-casing alone: about half the time of
 * matching Unicode classes and folding each spelling (0.25 vs 0.56 ms on a 13,000-character session).
 */
export function termFrequencies(text: string): { tf: Map<string, number>; tokens: number } {
  const tf = new Map<string, number>();
  if (asciiWords(text)) {
    // No character outside the word classes lower-cases to an ASCII letter or digit (a test checks
    // every code point), so the whole text is lower-cased at once and its runs are the words.
    const runs = text.toLowerCase().match(asciiRun) ?? [];
    for (const run of runs) tf.set(run, (tf.get(run) ?? 0) + 1);
    return { tf, tokens: runs.length };
  }
  const runs = text.match(tokenRun) ?? [];
  // Counted by spelling first: a long document repeats its words, each is folded once.
  const spellings = new Map<string, number>();
  for (const run of runs) spellings.set(run, (spellings.get(run) ?? 0) + 1);
  spellings.forEach((n, run) => {
    const word = indexedTerm(run);
    tf.set(word, (tf.get(word) ?? 0) + n);
  });
  return { tf, tokens: runs.length };
}

/**
 * Every word FTS5's `unicode61` tokenizer indexes from `texts`, or null when one of them has a
 * non-ASCII word character: `indexedTerm` folds those close to FTS5, not provably as it does, and
 * `TermCounts.written` must not miss a word whose count changed.
 */
export function indexedWords(texts: readonly string[]): Set<string> | null {
  const words = new Set<string>();
  for (const text of texts) {
    if (!asciiWords(text)) return null;
    for (const run of text.toLowerCase().match(asciiRun) ?? []) words.add(run);
  }
  return words;
}

/**
 * RM3's expansion words: each word's mean relative frequency in the `episodeIds` documents
 * (`P(w|R)` with the feedback documents weighed alike), times its inverse document frequency so
 * that words common everywhere drop out. The query's own words are left out. Best first, a word
 * is taken only while the documents holding the words taken so far stay within `budgetRows`:
 * the expanded query scores every document holding any of them, and the best match of a query
 * in a store of similar episodes is full of words most of them hold (32 agents recording and
 * retrieving on 1,000 such episodes: retrieve p50 18–30 ms with the bound, 39–66 without).
 */
export async function expansionTerms(
  counts: TermCounts,
  episodeIds: readonly string[],
  queryTerms: ReadonlySet<string>,
  count: number,
  budgetRows: number,
): Promise<string[]> {
  if (episodeIds.length === 0) return [];
  const docs = await counts.db.readBatch(episodeIds.map((id) => ({ sql: episodeDocSql, args: [id] })));
  const weightOf = new Map<string, number>();
  for (const doc of docs) {
    const { tf, tokens } = termFrequencies(String(doc.rows[0]?.text ?? ''));
    tf.forEach((n, word) => {
      if (queryTerms.has(word) || word.length < 2) return;
      weightOf.set(word, (weightOf.get(word) ?? 0) + n / tokens / docs.length);
    });
  }
  const candidates = heaviest(weightOf, shortlist);
  const df = (await counts.docs(candidates.map(([term]) => term))).map((count) => Math.max(1, count));
  // The commonest shortlisted word is in (nearly) every document: its count stands in for N.
  const documents = Math.max(...df) + 1;
  const ranked = candidates
    .map(([term, weight], index) => {
      const rows = df[index] as number;
      return { term, rows, score: weight * Math.log(documents / rows) };
    })
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score);
  const taken: string[] = [];
  let rows = 0;
  for (const entry of ranked) {
    if (taken.length === count) break;
    if (rows + entry.rows > budgetRows) continue;
    rows += entry.rows;
    taken.push(entry.term);
  }
  return taken;
}
