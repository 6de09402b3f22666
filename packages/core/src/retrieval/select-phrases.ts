import type { Database } from '../db/database.js';

export interface PhraseSelection {
  /** The phrases to search for, rarest first. */
  kept: string[][];
  /** The most common phrases, left out to stay within the budget. */
  skipped: string[][];
}

/** A token as FTS5's `unicode61` tokenizer stores it: case folded, diacritics removed. */
export function indexedTerm(run: string): string {
  return run.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const order = (matched: number) => (matched === 0 ? Number.MAX_SAFE_INTEGER : matched);

/**
 * Chooses which query phrases full-text search spends its effort on. FTS5 scores every row that
 * matches any phrase, so a common word makes a query cost a share of the whole table while BM25
 * gives it almost no weight. Phrases are taken rarest first (document counts from the FTS5
 * vocabularies of `episode_docs_fts` and `steps_fts`, one index seek per word) while the rows
 * they match add up to at most `budgetRows`, and at most `maxPhrases` of them: a long query (a
 * whole issue text) keeps its most informative words. The rarest is always kept. A phrase found
 * nowhere costs nothing and is tried last (its spelling may index differently from our guess).
 */
export async function selectPhrases(
  db: Database,
  phrases: readonly string[][],
  budgetRows: number,
  maxPhrases: number,
): Promise<PhraseSelection> {
  const terms = [...new Set(phrases.flatMap((runs) => runs.map(indexedTerm)))];
  const counts = await db.readBatch(
    terms.map((term) => ({
      sql: `SELECT COALESCE((SELECT doc FROM episode_docs_fts_vocab WHERE term = ?), 0)
                 + COALESCE((SELECT doc FROM steps_fts_vocab WHERE term = ?), 0) AS matched`,
      args: [term, term],
    })),
  );
  const rowsOf = new Map(terms.map((term, index) => [term, Number(counts[index]?.rows[0]?.matched ?? 0)]));
  const ranked = phrases
    .map((phrase) => ({
      phrase,
      matched: Math.min(...phrase.map((run) => rowsOf.get(indexedTerm(run)) ?? 0)),
    }))
    .sort((a, b) => order(a.matched) - order(b.matched));
  const kept: string[][] = [];
  const skipped: string[][] = [];
  let spent = 0;
  for (const { phrase, matched } of ranked) {
    if (kept.length === 0 || (spent + matched <= budgetRows && kept.length < maxPhrases)) {
      kept.push(phrase);
      spent += matched;
    } else {
      skipped.push(phrase);
    }
  }
  return { kept, skipped };
}
