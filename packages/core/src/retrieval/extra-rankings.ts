import type { Database } from '../db/database.js';
import type { SqlFilter } from '../db/sql-filter.js';
import { phrasesToFtsQuery } from '../search/fts-query.js';
import { expansionTerms } from './expansion-terms.js';
import type { ResolvedRetrievalConfig } from './retrieval-config.js';
import { indexedTerm } from './select-phrases.js';
import { episodeRanking, type TextCandidate } from './text-candidates.js';

/** RM3: the query's kept words and its best matches' weightiest words, as a second full-text ranking. */
export async function expansionRanking(
  db: Database,
  settings: ResolvedRetrievalConfig,
  kept: string[][],
  text: Promise<TextCandidate[]>,
  where: SqlFilter,
  pool: number,
): Promise<string[]> {
  const { episodes, terms } = settings.expansion;
  if (settings.weights.expansion === 0 || kept.length === 0) return [];
  const seeds = (await text).slice(0, episodes).map((hit) => hit.episodeId);
  const own = new Set(kept.flat().map(indexedTerm));
  const added = await expansionTerms(db, seeds, own, terms);
  if (added.length === 0) return [];
  const query = phrasesToFtsQuery([...kept, ...added.map((term) => [term])]) as string;
  return episodeRanking(db, query, where, pool, settings.fields);
}

/** Consecutive kept query words within `distance` tokens of each other (FTS5 NEAR), as a ranking. */
export async function proximityRanking(
  db: Database,
  settings: ResolvedRetrievalConfig,
  phrases: string[][],
  kept: string[][],
  where: SqlFilter,
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
  return episodeRanking(db, near.join(' OR '), where, pool, settings.fields);
}
