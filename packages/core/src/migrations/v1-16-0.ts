import type { Migration } from './migration.js';

/**
 * FTS5's `crisismerge` down from 16 to 2 (its least) in every full-text index. Each write
 * transaction flushes a new small segment to level 0, and FTS5's automerge only does work once 64
 * pages have been written since its last turn, so up to 15 one-page segments piled up there beside
 * the merged ones, and every word a query looks up walks every segment. With 2, a flush that leaves
 * two segments on level 0 merges them, then any level that merge leaves with two, so a level keeps
 * about one segment. The setting is stored in the index itself (`%_config`): every connection that
 * writes obeys it, other processes and older versions of this package included. BM25 does not
 * depend on how the index is split, so no ranking or score changes. The segments an existing store
 * holds are merged by its next write to each index, not here (that could rewrite a large index
 * while the store opens). The tables are listed here, not taken from `allFtsTables`: a migration
 * never changes once released.
 */
export const v1_16_0: Migration = {
  version: '1.16.0',
  description: 'full-text indexes: crisismerge 2, small segments merged as they are written',
  statements: ['episodes_fts', 'steps_fts', 'patterns_fts', 'episode_docs_fts'].map(
    (table) => `INSERT INTO ${table} (${table}, rank) VALUES ('crisismerge', 2)`,
  ),
};
