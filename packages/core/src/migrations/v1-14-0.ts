import type { Migration } from './migration.js';

/**
 * Deleting a step (the cascade of every forget and retention delete) looks up the embeddings
 * that reference it (`embeddings.step_id … ON DELETE CASCADE`); with no index there, SQLite
 * scanned the whole embeddings table once per deleted step, so a forget cost steps deleted ×
 * embeddings stored, and held the writer (and, on the synchronous driver, the event loop) for
 * seconds once a store had a few thousand embeddings. Partial: most embeddings are whole-episode
 * ones with no step, and `step_id = ?` implies the condition, so the lookup still uses it.
 */
export const v1_14_0: Migration = {
  version: '1.14.0',
  description: 'index embeddings.step_id: step deletes no longer scan every embedding',
  statements: ['CREATE INDEX idx_embeddings_step ON embeddings (step_id) WHERE step_id IS NOT NULL'],
};
