import type { Migration } from './migration.js';

/**
 * Vector search: each `embeddings` row says what it stands for (the whole episode, or one failed
 * step's error), and deletions are counted so that a process holding vectors in memory notices
 * another process's reindex or deletion with one cheap read.
 */
export const v1_4_0: Migration = {
  version: '1.4.0',
  description: 'embeddings.kind and step_id, model index, embedding_changes counter',
  statements: [
    `ALTER TABLE embeddings ADD COLUMN kind TEXT NOT NULL DEFAULT 'episode'
      CHECK (kind IN ('episode', 'step_error'))`,
    'ALTER TABLE embeddings ADD COLUMN step_id TEXT REFERENCES steps (id) ON DELETE CASCADE',
    // Finding a row stamped with another model must not scan the table.
    'CREATE INDEX idx_embeddings_model ON embeddings (model_name)',
    `CREATE TABLE embedding_changes (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      deletions INTEGER NOT NULL
    )`,
    // No row until the first deletion: a table the migration fills would clash with a copy of the data.
    `CREATE TRIGGER embeddings_count_deletions AFTER DELETE ON embeddings BEGIN
      INSERT INTO embedding_changes (id, deletions) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET deletions = deletions + 1;
    END`,
  ],
};
