import type { Migration } from './migration.js';

/** The seed's 1.1.0: embeddings support. */
export const v1_1_0: Migration = {
  version: '1.1.0',
  description: 'embeddings table and episodes.embedding_version',
  statements: [
    'ALTER TABLE episodes ADD COLUMN embedding_version TEXT',
    `CREATE TABLE embeddings (
      id TEXT PRIMARY KEY,
      episode_id TEXT NOT NULL,
      content TEXT NOT NULL,
      embedding BLOB NOT NULL,
      model_name TEXT NOT NULL,
      created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      FOREIGN KEY (episode_id) REFERENCES episodes (id) ON DELETE CASCADE
    )`,
    'CREATE INDEX idx_embeddings_episode ON embeddings (episode_id)',
  ],
};
