import { docBodySql } from '../search/episode-docs.js';
import type { Migration } from './migration.js';

/**
 * An episode's whole-text document holds at most `docBodyChars` of step text (each step's share
 * past it), as the engine now writes it: the trigger that re-indexes a document when its context
 * is replaced builds the bounded body too. Documents already indexed are left as they are: a
 * finished episode's is not re-indexed again, and an active one's is on its next refresh.
 */
export const v1_24_0: Migration = {
  version: '1.24.0',
  description: 'episode_docs_fts: the document of a replaced context holds bounded step text',
  statements: [
    'DROP TRIGGER episode_docs_fts_after_update',
    `CREATE TRIGGER episode_docs_fts_after_update AFTER UPDATE OF context ON episodes BEGIN
      INSERT OR REPLACE INTO episode_docs_fts (rowid, head, body)
      SELECT new.rowid, COALESCE(new.context, ''), ${docBodySql('new.id')};
    END`,
  ],
};
