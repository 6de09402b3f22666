import type { Transaction } from '@libsql/client';
import { episodeDocSql } from '../search/episode-docs.js';
import { indexedWords } from './expansion-terms.js';
import { stateOf, stateSql } from './index-state.js';
import type { TermCounts } from './term-counts.js';

/**
 * What a write adds to the full-text indexes and takes nothing out of: a new episode (its context
 * is its document), or new steps of an episode (a row of the step table each, and its document
 * written again with their words added to the ones it held).
 */
export type IndexedText =
  | { kind: 'episode'; context: string | null }
  | {
      kind: 'steps';
      episodeId: string;
      /** A step with an id may be a retry, stored already and not written again. */
      steps: readonly { id?: string; action: string; result?: string | null }[];
    };

/** How a write changed the document counts of one word. */
export interface CountDelta {
  /** Episode documents that hold the word now and did not before: 0 or 1. */
  docs: number;
  /** New step rows that hold it. */
  steps: number;
}

/**
 * What one write transaction did to the full-text indexes: took them from state `before` to
 * `after` by adding `words` and taking none out (`TermCounts.written`).
 */
export interface IndexChange {
  before: string;
  after: string;
  /** Every word the write added; null when FTS5 may spell some otherwise than `indexedWords`. */
  words: ReadonlySet<string> | null;
  /** The change in the counts of the added words that had a kept count when the write began. */
  deltas: ReadonlyMap<string, CountDelta>;
}

/** The union of `sets`, or null when one of them is. */
function union(sets: readonly (Set<string> | null)[]): Set<string> | null {
  const all = new Set<string>();
  for (const set of sets) {
    if (set === null) return null;
    for (const word of set) all.add(word);
  }
  return all;
}

/**
 * How the write of `text` changes the counts of `kept` (words it adds): an episode's document
 * holds a word it did not before only when the document is new or did not hold it yet, which
 * its text (read before the write) says. Empty when that cannot be known exactly.
 */
async function countDeltas(
  tx: Transaction,
  text: IndexedText,
  kept: readonly string[],
  stepWords: readonly (Set<string> | null)[],
): Promise<Map<string, CountDelta>> {
  const deltas = new Map<string, CountDelta>();
  if (kept.length === 0) return deltas;
  let held = new Set<string>();
  if (text.kind === 'steps') {
    if (text.steps.some((step) => step.id !== undefined)) return deltas;
    const document = await tx.execute({ sql: episodeDocSql, args: [text.episodeId] });
    const words = indexedWords([String(document.rows[0]?.text ?? '')]);
    if (words === null) return deltas;
    held = words;
  }
  for (const word of kept) {
    const steps = stepWords.filter((words) => words?.has(word)).length;
    deltas.set(word, { docs: held.has(word) ? 0 : 1, steps });
  }
  return deltas;
}

/**
 * Runs `write` (which writes `text`) inside `tx` between two reads of the full-text indexes'
 * state, and says what it changed for `counts`. The write lock is held throughout, so nothing
 * else changed the indexes between the two reads. The counts `counts` keeps of the words written
 * are followed exactly rather than read again; the text read for that is the episode's document,
 * which the write indexes again whole anyway. Resolves to what `write` resolved to and the
 * change, to pass to `TermCounts.written` once committed; null, after one read of the state,
 * when `counts` keeps nothing of it (a process that has not searched since the last other
 * change): the write then costs nothing more.
 */
export async function changingIndexes<T>(
  tx: Transaction,
  counts: TermCounts,
  text: IndexedText,
  write: () => Promise<T>,
): Promise<[T, IndexChange | null]> {
  const before = stateOf((await tx.execute(stateSql)).rows[0]).key;
  if (!counts.keeps(before)) return [await write(), null];
  const stepWords =
    text.kind === 'steps' ? text.steps.map((step) => indexedWords([step.action, step.result ?? ''])) : [];
  const words = text.kind === 'episode' ? indexedWords([text.context ?? '']) : union(stepWords);
  const deltas = words === null ? new Map() : await countDeltas(tx, text, counts.kept(words), stepWords);
  const value = await write();
  // FTS5 holds new rows in memory until the transaction commits. Its `flush` command (in
  // fts5_main.c since FTS5 began, not in its documentation) writes them out now, so the state
  // read next is the one the commit leaves: the commit then has nothing left to write.
  const [, , state] = await tx.batch([
    "INSERT INTO episode_docs_fts (episode_docs_fts) VALUES ('flush')",
    "INSERT INTO steps_fts (steps_fts) VALUES ('flush')",
    stateSql,
  ]);
  return [value, { before, after: stateOf(state?.rows[0]).key, words, deltas }];
}
