import type { InStatement, InValue } from '@libsql/client';

/**
 * Most characters of step text an episode's document holds. Indexing takes time in proportion
 * to the text, on the store's one writer: an episode of 1,000 results of 60 KB (60 M characters)
 * held it 3.1 s when it ended on a quiet machine (6.4 s on a busy one), and BM25 over such a
 * document says little anyway. Larger than every episode of the benchmark's data sets (the
 * longest coding run is under 1 M characters of messages), so none of those is clipped.
 */
export const docBodyChars = 2 * 1024 * 1024;

/**
 * The document body of the episode whose id is `episodeId` (SQL): every step's action and result,
 * whole while they add up to at most `docBodyChars`; past it, each step's first `docBodyChars / n`
 * characters (n steps), so every step keeps a share and the document stays within the bound.
 */
export const docBodySql = (episodeId: string) => `COALESCE((SELECT group_concat(
      CASE WHEN t.total <= ${docBodyChars} THEN t.text ELSE substr(t.text, 1, ${docBodyChars} / t.n) END,
      char(10))
    FROM (SELECT s.action || char(10) || COALESCE(s.result, '') AS text,
            sum(length(s.action) + 1 + length(COALESCE(s.result, ''))) OVER () AS total,
            count(*) OVER () AS n
          FROM steps s WHERE s.episode_id = ${episodeId}) t), '')`;

/**
 * `episode_docs_fts` holds one row per episode (rowid = the episode's rowid): its context, and
 * the action and result of every step, so BM25 scores the whole episode as one document. It keeps
 * its own copy of the text, so replacing a row takes its words out of BM25's statistics exactly.
 * Episode rows keep it in step through triggers; steps through `refreshEpisodeDoc`, in the
 * transaction that appends them (a trigger per step would re-index the episode per step), on the
 * schedule of `docRefreshDue`; and an episode that ends is re-indexed whole (`refreshEndingDocs`).
 * No ORDER BY inside group_concat: BM25 does not need the order, and SQLite before 3.44 (the stock
 * `sqlite3` CLI a user may open the file with) cannot parse a schema that uses it. The step
 * text is bounded (`docBodyChars`).
 */
const docSelect = `SELECT e.rowid, COALESCE(e.context, ''), ${docBodySql('e.id')} FROM episodes e`;

/** One episode's document as indexed (its context, then its steps' text), by the episode's id. */
export const episodeDocSql = `SELECT head || char(10) || body AS text FROM episode_docs_fts
  WHERE rowid = (SELECT rowid FROM episodes WHERE id = ?)`;

/**
 * Steps an episode may have before its document stops being re-indexed on every append. Re-indexing
 * reads and tokenises the whole episode, so an episode appended to a step at a time cost time
 * growing with its length on every append (2,000 steps of 1 KB: 77 ms per `logStep`, holding the
 * store's one writer). Up to this many steps (nearly every episode) nothing changes.
 */
export const eagerDocSteps = 64;

/** Past `eagerDocSteps`, the document is re-indexed when the step count has grown by this factor. */
const docGrowth = 1.25;

/** Which stage of the schedule `steps` falls in: 0 up to `eagerDocSteps`, then one per growth. */
function docStage(steps: number): number {
  return steps <= eagerDocSteps ? 0 : 1 + Math.floor(Math.log(steps / eagerDocSteps) / Math.log(docGrowth));
}

/**
 * Whether an append taking an episode from `before` to at most `after` steps re-indexes its
 * document: always up to `eagerDocSteps` steps, then each time the count passes the next
 * power of `docGrowth` (80, 100, 125… steps). The work of all re-indexing stays a small multiple
 * of the episode's text, and an active episode's document always holds at least 80% of its steps
 * (its `steps_fts` rows hold every one); `refreshEndingDocs` completes it when the episode ends.
 */
export function docRefreshDue(before: number, after: number): boolean {
  return after <= eagerDocSteps || docStage(after) > docStage(before);
}

/** Re-indexes one episode's document from its row and its steps. */
export function refreshEpisodeDoc(episodeId: string): InStatement {
  return {
    sql: `INSERT OR REPLACE INTO episode_docs_fts (rowid, head, body) ${docSelect} WHERE e.id = ?`,
    args: [episodeId],
  };
}

/**
 * Re-indexes the documents of the episodes `selection` names (SQL giving ids, with its arguments)
 * that are still active and past `eagerDocSteps` steps, which may lack recent steps: run just
 * before they end (completed, failed or archived), so a finished episode is indexed whole. One
 * that had finished already is whole and is left alone (retention archives many of them).
 */
export function refreshEndingDocs(selection: { sql: string; args: InValue[] }): InStatement {
  return {
    sql: `INSERT OR REPLACE INTO episode_docs_fts (rowid, head, body) ${docSelect}
          WHERE e.id IN (${selection.sql}) AND e.status = 'active'
            AND EXISTS (SELECT 1 FROM steps WHERE episode_id = e.id AND step_number > ?)`,
    args: [...selection.args, eagerDocSteps],
  };
}

/** `refreshEndingDocs` of the episodes `ids`. */
export const refreshEndingDocsOf = (ids: readonly string[]): InStatement =>
  refreshEndingDocs({ sql: 'SELECT value FROM json_each(?)', args: [JSON.stringify(ids)] });

/** Re-indexes every episode: after a copy renumbered rowids (`VACUUM INTO`), or a repair. */
export const rebuildEpisodeDocs: readonly string[] = [
  'DELETE FROM episode_docs_fts',
  `INSERT INTO episode_docs_fts (rowid, head, body) ${docSelect}`,
];
