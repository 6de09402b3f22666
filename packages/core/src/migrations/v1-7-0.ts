import type { Migration } from './migration.js';

/**
 * Learning off the write path: a durable queue of (learner, episode) work that completing an
 * episode fills in its own transaction, and a log of deleted vectors so that every process's
 * in-memory vector index drops just those rows instead of reloading all of them.
 */
export const v1_7_0: Migration = {
  version: '1.7.0',
  description: 'learning_queue; embedding_deletions log for incremental vector index deletes',
  statements: [
    `CREATE TABLE learning_queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      episode_id TEXT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
      learner TEXT NOT NULL,
      enqueued_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      available_at TEXT NOT NULL,
      lease_owner TEXT,
      lease_until TEXT,
      last_error TEXT,
      failed_at TEXT,
      UNIQUE (learner, episode_id)
    )`,
    // Claims scan ready rows of one learner in queue order; failed rows are out of the way.
    'CREATE INDEX idx_learning_queue_ready ON learning_queue (learner, seq) WHERE failed_at IS NULL',
    'CREATE INDEX idx_learning_queue_episode ON learning_queue (episode_id)',
    `CREATE TABLE embedding_deletions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      embedding_rowid INTEGER NOT NULL
    )`,
    // Bounded: an index further behind than the log reaches reloads everything (as before).
    `CREATE TRIGGER embeddings_log_deletions AFTER DELETE ON embeddings BEGIN
      INSERT INTO embedding_deletions (embedding_rowid) VALUES (old.rowid);
      DELETE FROM embedding_deletions WHERE seq <= last_insert_rowid() - 200000;
    END`,
    // The counter it replaces made every process reload all vectors after any deletion.
    'DROP TRIGGER embeddings_count_deletions',
    'DROP TABLE embedding_changes',
  ],
};
