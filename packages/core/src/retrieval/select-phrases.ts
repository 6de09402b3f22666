import type { Database } from '../db/database.js';
import { phrasesToFtsQuery } from '../search/fts-query.js';

export interface PhraseSelection {
  /** The phrases to search for, rarest first. */
  kept: string[][];
  /** The most common phrases, left out to stay within the budget. */
  skipped: string[][];
}

/**
 * Chooses which query phrases full-text search spends its effort on. FTS5 scores every row that
 * matches any phrase, so a common word makes a query cost a share of the whole table while BM25
 * gives it almost no weight. Phrases are taken rarest first while the rows they match (in
 * `episodes_fts` plus `steps_fts`) add up to at most `budgetRows`; the rarest is always kept.
 * Each count stops at `budgetRows + 1`, so choosing costs no more than the budget itself however
 * large the store grows.
 */
export async function selectPhrases(
  db: Database,
  phrases: readonly string[][],
  budgetRows: number,
): Promise<PhraseSelection> {
  const cap = budgetRows + 1;
  const counts = await db.readBatch(
    phrases.map((phrase) => {
      const match = phrasesToFtsQuery([phrase]) as string;
      return {
        sql: `SELECT (SELECT count(*) FROM (SELECT 1 FROM episodes_fts WHERE episodes_fts MATCH ? LIMIT ?))
                   + (SELECT count(*) FROM (SELECT 1 FROM steps_fts WHERE steps_fts MATCH ? LIMIT ?)) AS matched`,
        args: [match, cap, match, cap],
      };
    }),
  );
  const ranked = phrases
    .map((phrase, index) => ({ phrase, matched: Number(counts[index]?.rows[0]?.matched ?? 0) }))
    .sort((a, b) => a.matched - b.matched);
  const kept: string[][] = [];
  const skipped: string[][] = [];
  let spent = 0;
  for (const { phrase, matched } of ranked) {
    if (kept.length === 0 || spent + matched <= budgetRows) {
      kept.push(phrase);
      spent += matched;
    } else {
      skipped.push(phrase);
    }
  }
  return { kept, skipped };
}
