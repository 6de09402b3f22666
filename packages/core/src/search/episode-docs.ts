import type { InStatement } from '@libsql/client';

/**
 * `episode_docs_fts` holds one row per episode (rowid = the episode's rowid): its context, and
 * the action and result of every step, so BM25 scores the whole episode as one document. It keeps
 * its own copy of the text, so replacing a row takes its words out of BM25's statistics exactly.
 * Episode rows keep it in step through triggers; steps through `refreshEpisodeDoc`, once per
 * batch of steps in the same transaction (a trigger per step would re-index the episode per step).
 * No ORDER BY inside group_concat: BM25 does not need the order, and SQLite before 3.44 (the stock
 * `sqlite3` CLI a user may open the file with) cannot parse a schema that uses it.
 */
const docSelect = `SELECT e.rowid, COALESCE(e.context, ''),
    COALESCE((SELECT group_concat(s.action || char(10) || COALESCE(s.result, ''), char(10))
              FROM steps s WHERE s.episode_id = e.id), '')
  FROM episodes e`;

/** One episode's document as indexed (its context, then its steps' text), by the episode's id. */
export const episodeDocSql = `SELECT head || char(10) || body AS text FROM episode_docs_fts
  WHERE rowid = (SELECT rowid FROM episodes WHERE id = ?)`;

/** Re-indexes one episode's document from its row and its steps. */
export function refreshEpisodeDoc(episodeId: string): InStatement {
  return {
    sql: `INSERT OR REPLACE INTO episode_docs_fts (rowid, head, body) ${docSelect} WHERE e.id = ?`,
    args: [episodeId],
  };
}

/** Re-indexes every episode: after a copy renumbered rowids (`VACUUM INTO`), or a repair. */
export const rebuildEpisodeDocs: readonly string[] = [
  'DELETE FROM episode_docs_fts',
  `INSERT INTO episode_docs_fts (rowid, head, body) ${docSelect}`,
];
