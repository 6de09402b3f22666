import { indexedTerm } from './select-phrases.js';
import type { TermCounts } from './term-counts.js';

const tokenRun = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
/** Words weighed by their frequency first; only these are looked up in the vocabulary. */
const shortlist = 100;

/**
 * The `count` heaviest entries, heaviest first, equal weights in insertion order: what a stable
 * sort of them all would put first. A document has hundreds of words; only the threshold's
 * neighbourhood is sorted with a comparator.
 */
export function heaviest(weights: ReadonlyMap<string, number>, count: number): [string, number][] {
  const byWeight = (a: [string, number], b: [string, number]) => b[1] - a[1];
  if (weights.size <= count) return [...weights].sort(byWeight);
  const sorted = Float64Array.from(weights.values()).sort();
  const threshold = sorted[sorted.length - count] as number;
  // Every weight above the threshold is kept, and the first of those equal to it until `count`.
  let equal = count - (sorted.length - upperBound(sorted, threshold));
  const kept: [string, number][] = [];
  for (const entry of weights) {
    if (entry[1] > threshold || (entry[1] === threshold && equal-- > 0)) kept.push(entry);
  }
  return kept.sort(byWeight);
}

/** The index of the first value above `value` in ascending `sorted`. */
function upperBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * RM3's expansion words: each word's mean relative frequency in the `episodeIds` documents
 * (`P(w|R)` with the feedback documents weighed alike), times its inverse document frequency so
 * that words common everywhere drop out. The query's own words are left out.
 */
export async function expansionTerms(
  counts: TermCounts,
  episodeIds: readonly string[],
  queryTerms: ReadonlySet<string>,
  count: number,
): Promise<string[]> {
  if (episodeIds.length === 0) return [];
  const docs = await counts.db.readBatch(
    episodeIds.map((id) => ({
      sql: `SELECT head || char(10) || body AS text FROM episode_docs_fts
            WHERE rowid = (SELECT rowid FROM episodes WHERE id = ?)`,
      args: [id],
    })),
  );
  const weightOf = new Map<string, number>();
  for (const doc of docs) {
    const runs = String(doc.rows[0]?.text ?? '').match(tokenRun) ?? [];
    // Counted by spelling first: a long document repeats its words, each is folded once.
    const spellings = new Map<string, number>();
    for (const run of runs) spellings.set(run, (spellings.get(run) ?? 0) + 1);
    const tf = new Map<string, number>();
    for (const [run, n] of spellings) {
      const word = indexedTerm(run);
      tf.set(word, (tf.get(word) ?? 0) + n);
    }
    for (const [word, n] of tf) {
      if (queryTerms.has(word) || word.length < 2) continue;
      weightOf.set(word, (weightOf.get(word) ?? 0) + n / runs.length / docs.length);
    }
  }
  const candidates = heaviest(weightOf, shortlist);
  const df = (await counts.docs(candidates.map(([term]) => term))).map((count) => Math.max(1, count));
  // The commonest shortlisted word is in (nearly) every document: its count stands in for N.
  const documents = Math.max(...df) + 1;
  return candidates
    .map(([term, weight], index) => ({ term, score: weight * Math.log(documents / (df[index] as number)) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, count)
    .map((entry) => entry.term);
}
