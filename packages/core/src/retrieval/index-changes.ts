import type { Row, Transaction } from '@libsql/client';
import { indexedWords } from './expansion-terms.js';
import { stateOf, stateSql } from './index-state.js';
import type { TermCounts } from './term-counts.js';

/** How a write changed the document counts of one word. */
export interface CountDelta {
  /** Episode documents that hold the word now, less those that held it before. */
  docs: number;
  /** New step rows that hold it. */
  steps: number;
}

/**
 * What one write transaction did to the full-text indexes: took them from state `before` to
 * `after`, changing the document counts of the words in `deltas` by as much, and no other
 * word's (`TermCounts.written`).
 */
export interface IndexChange {
  before: string;
  after: string;
  /**
   * Per word, how its counts changed; null for a word whose change is not known exactly (in a
   * document with non-ASCII words), counted again. Null as a whole when the words written are
   * not known (non-ASCII text in a new step or a new context): every count starts over.
   */
  deltas: ReadonlyMap<string, CountDelta | null> | null;
}

/**
 * The listed episodes' documents (`episode_docs_fts`) with `columns`: their context (`head`),
 * their steps' text (`body`).
 */
const documentsSql = (columns: string) => `SELECT e.id AS id, ${columns}
  FROM episodes e JOIN episode_docs_fts d ON d.rowid = e.rowid
  WHERE e.id IN (SELECT value FROM json_each(?))`;
const beforeSql = documentsSql('d.head AS head, d.body AS body, length(d.body) AS body_chars');
const headsSql = documentsSql('d.head AS head, length(d.body) AS body_chars');

/** Step rowids only grow: the rows a write adds are those after the last one before it. */
const lastStepSql = 'SELECT COALESCE(MAX(rowid), 0) AS last FROM steps';
/** Each new step with the characters it adds to its episode's document when not clipped. */
const newStepsSql = `SELECT episode_id, action, result,
    length(action) + 1 + length(COALESCE(result, '')) AS chars FROM steps WHERE rowid > ?`;

const union = (...sets: ReadonlySet<string>[]) => new Set(sets.flatMap((set) => [...set]));

/** Per written word, its change; null for a word whose change is not known exactly (counted again). */
type Deltas = Map<string, CountDelta | null>;

function addDelta(deltas: Deltas, word: string, docs: number, steps: number): void {
  const delta = deltas.get(word);
  if (delta === null) return;
  deltas.set(word, { docs: (delta?.docs ?? 0) + docs, steps: (delta?.steps ?? 0) + steps });
}

/**
 * The change in every word's counts, from the documents of the written episodes before the write
 * (context and steps apart), their contexts after it and the step rows it added: a document
 * the write changed (its episode is in `documents`) is after it its context then, the steps it
 * held and the new ones; new steps of other episodes (whose documents wait, `docRefreshDue`)
 * change step counts only. Where a document
 * holds non-ASCII words (`indexedWords` cannot say which words FTS5 made of them), the words that
 * may have come into it or left it (its new steps', a replaced context's) are marked unknown.
 * Null when even those are not known, or a new step belongs to a listed episode not read.
 */
function countChanges(
  before: readonly Row[],
  heads: readonly Row[],
  newSteps: readonly Row[],
  documents: ReadonlySet<string>,
) {
  const deltas: Deltas = new Map();
  const added = new Map<string, Set<string>>();
  /** Per listed episode, how many steps the write added and their characters. */
  const grown = new Map<string, { steps: number; chars: number }>();
  for (const step of newSteps) {
    const words = indexedWords([String(step.action), String(step.result ?? '')]);
    if (words === null) return null;
    for (const word of words) addDelta(deltas, word, 0, 1);
    const episodeId = String(step.episode_id);
    // A step of an episode whose document the write leaves as it was is a new step row only.
    if (!documents.has(episodeId)) continue;
    added.set(episodeId, union(added.get(episodeId) ?? new Set(), words));
    const growth = grown.get(episodeId) ?? { steps: 0, chars: 0 };
    grown.set(episodeId, { steps: growth.steps + 1, chars: growth.chars + Number(step.chars) });
  }
  const held = new Map(
    before.map((row) => {
      const head = String(row.head ?? '');
      return [
        String(row.id),
        {
          head,
          headWords: indexedWords([head]),
          body: indexedWords([String(row.body ?? '')]),
          bodyChars: Number(row.body_chars ?? 0),
        },
      ];
    }),
  );
  for (const row of heads) {
    const id = String(row.id);
    const head = String(row.head ?? '');
    const headWords = indexedWords([head]);
    // An episode the write created had an empty document before it.
    const was = held.get(id) ?? {
      head: '',
      headWords: new Set<string>(),
      body: new Set<string>(),
      bodyChars: 0,
    };
    // Its old steps' text, a newline, then the new steps' joined by newlines: anything else is a
    // document clipped to `docBodyChars`, whose words may have left it.
    const growth = grown.get(id) ?? { steps: 0, chars: 0 };
    const separators = was.bodyChars === 0 ? Math.max(growth.steps - 1, 0) : growth.steps;
    if (Number(row.body_chars ?? 0) !== was.bodyChars + growth.chars + separators) return null;
    const newWords = added.get(id) ?? new Set<string>();
    added.delete(id);
    const { headWords: heldHead, body } = was;
    if (headWords !== null && heldHead !== null && body !== null) {
      // Its old steps stay: words come in with the context and new steps, leave only with the context.
      for (const word of union(headWords, newWords))
        if (!heldHead.has(word) && !body.has(word)) addDelta(deltas, word, 1, 0);
      for (const word of heldHead)
        if (!headWords.has(word) && !body.has(word) && !newWords.has(word)) addDelta(deltas, word, -1, 0);
      continue;
    }
    const replaced =
      was.head === head ? new Set<string>() : headWords && heldHead && union(headWords, heldHead);
    if (replaced === null) return null;
    for (const word of union(newWords, replaced)) deltas.set(word, null);
  }
  return added.size === 0 ? deltas : null;
}

/**
 * Runs `write`, which changes the documents of the episodes `episodeIds` and of no other
 * (`episodes.start`, `logSteps`, `record`: new episodes, new steps, a replaced context; it may also
 * add steps to other episodes without re-indexing their documents), inside
 * `tx` between two reads of the full-text indexes' state, and says what it changed for `counts`.
 * The write lock is held throughout, so nothing else changed the indexes between the two reads.
 * Every count changes exactly as worked out from what the write left (`countChanges`), not from
 * what it was given: a step sent again with its id is not written again, and a record may replace
 * a context, taking its words out. Resolves to what `write` resolved to and the change, to pass
 * to `TermCounts.written` once committed; null, after one read of the state, when `counts` keeps
 * nothing of it (a process that has not searched since the last other change): the write then
 * costs nothing more.
 */
export async function changingIndexes<T>(
  tx: Transaction,
  counts: TermCounts,
  episodeIds: readonly string[],
  write: () => Promise<T>,
): Promise<[T, IndexChange | null]> {
  const before = stateOf((await tx.execute(stateSql)).rows[0]).key;
  if (!counts.keeps(before)) return [await write(), null];
  const documents = new Set(episodeIds);
  const ids = JSON.stringify([...documents]);
  const [held, last] = await tx.batch([{ sql: beforeSql, args: [ids] }, lastStepSql]);
  const value = await write();
  // FTS5 holds new rows in memory until the transaction commits. Its `flush` command (in
  // fts5_main.c since FTS5 began, not in its documentation) writes them out now, so the state
  // read next is the one the commit leaves: the commit then has nothing left to write.
  const [, , state, heads, newSteps] = await tx.batch([
    "INSERT INTO episode_docs_fts (episode_docs_fts) VALUES ('flush')",
    "INSERT INTO steps_fts (steps_fts) VALUES ('flush')",
    stateSql,
    { sql: headsSql, args: [ids] },
    { sql: newStepsSql, args: [last?.rows[0]?.last ?? 0] },
  ]);
  return [
    value,
    {
      before,
      after: stateOf(state?.rows[0]).key,
      deltas: countChanges(held?.rows ?? [], heads?.rows ?? [], newSteps?.rows ?? [], documents),
    },
  ];
}
