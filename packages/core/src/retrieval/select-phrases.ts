import { indexedTerm } from '../search/indexed-term.js';
import type { TermCounts } from './term-counts.js';

export interface PhraseSelection {
  /** The phrases to search for, rarest first. */
  kept: string[][];
  /** The most common phrases, left out to stay within the budget. */
  skipped: string[][];
  /** `kept` without the words BM25 gives no weight in steps (see `selectPhrases`): what the step query searches. */
  forSteps: string[][];
  /**
   * The most whole-episode documents counted for a kept phrase, before any filter (for a phrase
   * of several words, those of its rarest word). A guess at whether a ranking of fewer episodes
   * will fill up: exact for one word without filters, an upper bound otherwise.
   */
  mostDocs: number;
  /** Rows in the step table (from its index totals): how large the store's full-text indexes are. */
  stepRows: number;
}

/**
 * Rows in the step table from which a retrieve reads its step ranking and expanded query aside,
 * and `search.text` its matches (`Database.readAside`: on a worker thread's connection, beside
 * this thread's whole-episode ranking and vector scan, or its other requests). In a small store those statements take a fraction of a millisecond,
 * less than the round trip to the thread, and starting the thread costs tens of milliseconds.
 * Chosen by timing retrieve with and without (core docs/retrieval-speed.md, "Reads aside").
 */
const readAsideFromStepRows = 10_000;

/** Whether the full-text statements of a search with this selection run on the read worker. */
export const readsAside = ({ stepRows }: PhraseSelection) => stepRows >= readAsideFromStepRows;

const order = (matched: number) => (matched === 0 ? Number.MAX_SAFE_INTEGER : matched);

/**
 * Chooses which query phrases full-text search spends its effort on. FTS5 scores every row that
 * matches any phrase, so a common word makes a query cost a share of the whole table while BM25
 * gives it almost no weight. The step query (`forSteps`, evidence beside the episode's own score)
 * leaves out a single word found in at least half the steps: FTS5's BM25 gives it an idf of 10⁻⁶
 * there, so it costs the most and changes no step's score. Phrases are taken rarest first
 * (document counts from the FTS5 vocabularies, `TermCounts`) while the rows they match add up to
 * at most `budgetRows`, and at most `maxPhrases` of them: a long query (a whole issue text) keeps
 * its most informative words. The rarest is always kept. A phrase found nowhere costs nothing and is tried
 * last (its spelling may index differently from our guess).
 */
export async function selectPhrases(
  counts: TermCounts,
  phrases: readonly string[][],
  budgetRows: number,
  maxPhrases: number,
): Promise<PhraseSelection> {
  const terms = [...new Set(phrases.flatMap((runs) => runs.map(indexedTerm)))];
  const { docs, steps, stepRows } = await counts.both(terms);
  const countsOf = new Map(
    terms.map((term, index) => [term, { docs: docs[index] as number, steps: steps[index] as number }]),
  );
  const ranked = phrases
    .map((phrase) => {
      const of = phrase.map((run) => countsOf.get(indexedTerm(run)) ?? { docs: 0, steps: 0 });
      const [only] = of;
      return {
        phrase,
        docs: Math.min(...of.map((count) => count.docs)),
        matched: Math.min(...of.map((count) => count.docs + count.steps)),
        weightless: of.length === 1 && only !== undefined && 2 * only.steps >= stepRows,
      };
    })
    .sort((a, b) => order(a.matched) - order(b.matched));
  const kept: string[][] = [];
  const skipped: string[][] = [];
  const forSteps: string[][] = [];
  let spent = 0;
  let mostDocs = 0;
  for (const { phrase, docs, matched, weightless } of ranked) {
    if (kept.length === 0 || (spent + matched <= budgetRows && kept.length < maxPhrases)) {
      kept.push(phrase);
      spent += matched;
      mostDocs = Math.max(mostDocs, docs);
      if (!weightless || forSteps.length === 0) forSteps.push(phrase);
    } else {
      skipped.push(phrase);
    }
  }
  return { kept, skipped, forSteps, mostDocs, stepRows };
}
