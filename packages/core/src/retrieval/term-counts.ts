import type { Row } from '@libsql/client';
import type { Database } from '../db/database.js';
import type { IndexChange } from './index-changes.js';
import { stateOf, stateSql } from './index-state.js';

/** Terms kept per table; past it the counts start over (a long-running store meets many words). */
const maxTerms = 50_000;

/**
 * A term's document count in `table`. A term of ASCII letters and digits is FTS5's own token for
 * itself, so the rows that match it as a phrase are the rows that hold it: counting them skips the
 * position lists the vocabulary walks (it counts occurrences too), ~20% less time on real
 * conversations. Any other term is looked up in the vocabulary as spelled (a phrase would be
 * tokenized again, and could match where the vocabulary holds no such term).
 */
const docCount = (table: 'episode_docs_fts' | 'steps_fts') =>
  `CASE WHEN j.value GLOB '*[^a-z0-9]*' OR j.value = ''
    THEN COALESCE((SELECT doc FROM ${table}_vocab WHERE term = j.value), 0)
    ELSE (SELECT count(*) FROM ${table} WHERE ${table} MATCH '"' || j.value || '"') END`;

/**
 * The index state (a first row, `nth` -1, with `stateSql`'s four blocks) and the document counts of a
 * JSON array of terms (a row each in their order: `a` in `episode_docs_fts`, `b` in `steps_fts`):
 * one statement whatever their number (SQL text fixed), so one snapshot without a transaction
 * around it. Three native calls fewer than the state and the counts in a read batch (BEGIN, a
 * statement, COMMIT), each ~15–30 µs in the driver whatever it runs (measured on a loaded machine).
 */
const countsSql = (steps: boolean) => `SELECT -1 AS nth, * FROM (${stateSql})
  UNION ALL SELECT j.key, ${docCount('episode_docs_fts')}, ${steps ? docCount('steps_fts') : 'NULL'}, NULL, NULL
    FROM json_each(?) j
  ORDER BY nth`;
const docsSql = countsSql(false);
const bothSql = countsSql(true);

/** Document counts of terms in both full-text indexes, and the rows in `steps_fts`. */
export interface Counts {
  docs: number[];
  steps: number[];
  stepRows: number;
}

/**
 * Document counts from the FTS5 vocabularies, each read once per state of the full-text indexes.
 * FTS5 counts a term's documents by walking its whole position list: the commonest words cost
 * the most, and every query's best match is full of them. A count is kept with the state it was
 * read in, and is used only after the same snapshot shows that state unchanged, or one this
 * process's own writes of new text led to from it (`written`): exact, whatever wrote in between
 * (this process or another).
 */
export class TermCounts {
  readonly #docs = new Map<string, number>();
  readonly #steps = new Map<string, number>();
  /** The index state every kept count was read in. */
  #state = '';

  constructor(readonly db: Database) {}

  /** Whether the kept counts were read in `state` (or followed to it): what a write may keep valid. */
  keeps(state: string): boolean {
    return state === this.#state;
  }

  /**
   * Keeps the counts across a committed write of this process (`changingIndexes`): it changed
   * the counts of the words in its deltas by as much and no other word's, so every kept count
   * follows it exactly (a word whose change is not known is read again). Kept counts are used
   * only when the indexes are in the state they were read in, or one reached from it by such
   * writes alone: any other change (another process's write, a delete, a merge) starts them
   * over, as before. Between two retrieves an agent mostly logs a step or two, and counting
   * every query and expansion word again cost more than the rest of the retrieve in a large
   * store.
   */
  written(change: IndexChange): void {
    const { before, after, deltas } = change;
    // Words FTS5 might spell differently from `indexedWords` (non-ASCII ones): not known, start over.
    if (before !== this.#state || after === before || deltas === null) return;
    for (const [word, delta] of deltas) {
      const docs = this.#docs.get(word);
      const rows = this.#steps.get(word);
      if (delta === null) {
        this.#docs.delete(word);
        this.#steps.delete(word);
        continue;
      }
      if (docs !== undefined) this.#docs.set(word, docs + delta.docs);
      if (rows !== undefined) this.#steps.set(word, rows + delta.steps);
    }
    this.#state = after;
  }

  /** Documents of `episode_docs_fts` holding each term. */
  async docs(terms: readonly string[]): Promise<number[]> {
    return (await this.#counts(terms, false)).docs;
  }

  /** Documents of `episode_docs_fts` and rows of `steps_fts` holding each term. */
  both(terms: readonly string[]): Promise<Counts> {
    return this.#counts(terms, true);
  }

  async #counts(terms: readonly string[], steps: boolean): Promise<Counts> {
    const wanted = [...new Set(terms)];
    // Taken before the read: a concurrent call may start the kept counts over meanwhile.
    const assumed = this.#state;
    const kept = new Map<string, [number, number]>();
    for (const term of wanted) {
      const docs = this.#docs.get(term);
      const rows = steps ? this.#steps.get(term) : 0;
      if (docs !== undefined && rows !== undefined) kept.set(term, [docs, rows]);
    }
    let read = await this.#read(
      wanted.filter((term) => !kept.has(term)),
      steps,
    );
    // Counts kept from another state cannot be mixed with this snapshot's: read them all again.
    if (read.state !== assumed && kept.size > 0) {
      kept.clear();
      read = await this.#read(wanted, steps);
    }
    const countOf = (term: string) => kept.get(term) ?? read.counts.get(term) ?? [0, 0];
    return {
      docs: terms.map((term) => countOf(term)[0]),
      steps: steps ? terms.map((term) => countOf(term)[1]) : [],
      stepRows: read.stepRows,
    };
  }

  /** Reads the index state and the counts of `terms` in one snapshot, and keeps them. */
  async #read(terms: readonly string[], steps: boolean) {
    let state: Row | undefined;
    let looked: Row[] = [];
    if (terms.length === 0) {
      state = (await this.db.read(stateSql)).rows[0];
    } else {
      const read = await this.db.read({ sql: steps ? bothSql : docsSql, args: [JSON.stringify(terms)] });
      [state, ...looked] = read.rows;
    }
    const { key, stepRows } = stateOf(state);
    if (key !== this.#state || this.#docs.size + terms.length > maxTerms) {
      this.#docs.clear();
      this.#steps.clear();
      this.#state = key;
    }
    const counts = new Map<string, [number, number]>();
    terms.forEach((term, index) => {
      const counted = looked[index];
      const docs = Number(counted?.a ?? 0);
      const rows = steps ? Number(counted?.b ?? 0) : 0;
      counts.set(term, [docs, rows]);
      this.#docs.set(term, docs);
      if (steps) this.#steps.set(term, rows);
    });
    return { state: key, counts, stepRows };
  }
}
