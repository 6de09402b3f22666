import type { Migration } from './migration.js';

/**
 * Episode-level full text: one FTS5 row per episode (its context, and every step's action and
 * result), so BM25 ranks whole episodes rather than their single best step or field. Backfilled
 * here from the stored episodes and steps. It keeps its own copy of the text: a contentless table
 * cannot take back a replaced row's words from its statistics, and every episode's row is
 * replaced as steps arrive, which skewed BM25 measurably.
 */
export const v1_8_0: Migration = {
  version: '1.8.0',
  description: 'episode_docs_fts: whole-episode full text, backfilled',
  statements: [
    'CREATE VIRTUAL TABLE episode_docs_fts USING fts5(head, body)',
    `CREATE TRIGGER episode_docs_fts_after_insert AFTER INSERT ON episodes BEGIN
      INSERT INTO episode_docs_fts (rowid, head, body) VALUES (new.rowid, COALESCE(new.context, ''), '');
    END`,
    `CREATE TRIGGER episode_docs_fts_after_delete AFTER DELETE ON episodes BEGIN
      DELETE FROM episode_docs_fts WHERE rowid = old.rowid;
    END`,
    `CREATE TRIGGER episode_docs_fts_after_update AFTER UPDATE OF context ON episodes BEGIN
      INSERT OR REPLACE INTO episode_docs_fts (rowid, head, body)
      SELECT new.rowid, COALESCE(new.context, ''),
        COALESCE((SELECT group_concat(s.action || char(10) || COALESCE(s.result, ''), char(10))
                  FROM steps s WHERE s.episode_id = new.id), '');
    END`,
    `INSERT INTO episode_docs_fts (rowid, head, body)
      SELECT e.rowid, COALESCE(e.context, ''),
        COALESCE((SELECT group_concat(s.action || char(10) || COALESCE(s.result, ''), char(10))
                  FROM steps s WHERE s.episode_id = e.id), '')
      FROM episodes e`,
    // Document frequencies of terms: what a long query's most informative words are chosen by.
    `CREATE VIRTUAL TABLE episode_docs_fts_vocab USING fts5vocab(episode_docs_fts, 'row')`,
    `CREATE VIRTUAL TABLE steps_fts_vocab USING fts5vocab(steps_fts, 'row')`,
  ],
};
