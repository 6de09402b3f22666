import { phrasesToFtsQuery } from '../search/fts-query.js';
import { indexedTerm } from '../search/indexed-term.js';
import { expansionTerms } from './expansion-terms.js';
import type { RankedRow } from './ranked-rows.js';
import type { ResolvedRetrievalConfig } from './retrieval-config.js';
import { type Shortlist, type Shortlists, type Source, shortlistFactor } from './shortlists.js';
import type { TermCounts } from './term-counts.js';
import { docsSource, episodeRanking, rankShortlist } from './text-candidates.js';

/**
 * The expanded query's shortlist from its two parts' shortlists, when both hold every match:
 * FTS5's bm25() is a sum over the query's phrases (each with its own idf), so a row's rank for
 * `kept OR added` is its rank for `kept` plus its rank for `added`. The first part is the main
 * full-text query, already read: only the added words are scored again. Null when either part
 * has more matches than its shortlist holds, or the main ranking read no shortlist (it read
 * every match at once, under filters whose shortlists fell short: `ShortlistShortfalls`).
 */
async function summedShortlist(
  shortlists: Shortlists,
  source: Source,
  kept: string,
  added: string,
  size: number,
  aside: boolean,
): Promise<Shortlist | null> {
  const first = await shortlists.cached(source, kept, size);
  if (first === undefined || !first.complete) return null;
  const second = await shortlists.get(source, added, size, aside);
  if (!second.complete) return null;
  const byRowid = new Map(first.rows.map((row) => [row.rowid, row]));
  for (const row of second.rows)
    byRowid.set(row.rowid, { ...row, rank: (byRowid.get(row.rowid)?.rank ?? 0) + row.rank });
  const rows = [...byRowid.values()].sort((a, b) => a.rank - b.rank || a.rowid - b.rowid);
  return { rows: rows.slice(0, size + 1), complete: rows.length <= size };
}

/**
 * RM3: the query's kept words and its best matches' weightiest words, as a second full-text
 * ranking. `aside`: the expanded query is read beside the main thread's work (`Database.readAside`),
 * the vector scan in a large store.
 */
export async function expansionRanking(
  shortlists: Shortlists,
  counts: TermCounts,
  settings: ResolvedRetrievalConfig,
  kept: string[][],
  text: Promise<readonly RankedRow[]>,
  pool: number,
  aside = false,
): Promise<string[]> {
  const { episodes, terms } = settings.expansion;
  if (settings.weights.expansion === 0 || kept.length === 0) return [];
  const seeds = (await text).slice(0, episodes).map((hit) => hit.episodeId);
  const own = new Set(kept.flat().map(indexedTerm));
  const added = await expansionTerms(counts, seeds, own, terms, settings.textBudgetRows);
  if (added.length === 0) return [];
  const addedPhrases = added.map((term) => [term]);
  const query = phrasesToFtsQuery([...kept, ...addedPhrases]) as string;
  const source = docsSource(settings.fields);
  const summed = await summedShortlist(
    shortlists,
    source,
    phrasesToFtsQuery(kept) as string,
    phrasesToFtsQuery(addedPhrases) as string,
    pool * shortlistFactor,
    aside,
  );
  if (summed === null) return episodeRanking(shortlists, query, pool, settings.fields, aside);
  const ranked = await rankShortlist(shortlists, source, summed, query, pool, false);
  return ranked.map((row) => row.episodeId);
}

/** Consecutive kept query words within `distance` tokens of each other (FTS5 NEAR), as a ranking. */
export async function proximityRanking(
  shortlists: Shortlists,
  settings: ResolvedRetrievalConfig,
  phrases: string[][],
  kept: string[][],
  pool: number,
): Promise<string[]> {
  const { distance, pairs } = settings.proximity;
  if (settings.weights.proximity === 0) return [];
  const keptSet = new Set(kept);
  const inOrder = phrases.filter((phrase) => keptSet.has(phrase));
  const near: string[] = [];
  for (let i = 1; i < inOrder.length && near.length < pairs; i += 1) {
    const pair = [inOrder[i - 1], inOrder[i]].map((phrase) => phrasesToFtsQuery([phrase as string[]]));
    near.push(`NEAR(${pair.join(' ')}, ${distance})`);
  }
  if (near.length === 0) return [];
  return episodeRanking(shortlists, near.join(' OR '), pool, settings.fields);
}
