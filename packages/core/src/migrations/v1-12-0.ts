import type { Migration } from './migration.js';

/**
 * FTS5 `secure-delete` on the full-text tables: deleting a row removes its tokens from the index
 * at once, so `forget` no longer merges every segment ('optimize', a rewrite of the whole index
 * on each call) to leave no forgotten word in the file. The whole-episode index
 * (`episode_docs_fts`), which 'optimize' never covered, keeps none either now.
 */
export const v1_12_0: Migration = {
  version: '1.12.0',
  description: 'full-text tables: secure-delete',
  statements: ['episodes_fts', 'steps_fts', 'patterns_fts', 'episode_docs_fts'].map(
    (table) => `INSERT INTO ${table} (${table}, rank) VALUES ('secure-delete', 1)`,
  ),
};
