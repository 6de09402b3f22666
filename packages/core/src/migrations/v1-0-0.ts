import type { Migration } from './migration.js';

/** The seed's initial schema, translated to SQLite (indexes as `CREATE INDEX`). */
export const v1_0_0: Migration = {
  version: '1.0.0',
  description: 'initial schema: episodes, steps, patterns, episodes_fts',
  statements: [
    `CREATE TABLE episodes (
      id TEXT PRIMARY KEY,
      task_type TEXT NOT NULL,
      domain TEXT NOT NULL,
      context TEXT,
      status TEXT NOT NULL DEFAULT 'active',
      success_rate REAL,
      created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      completed_at DATETIME,
      metadata TEXT
    )`,
    'CREATE INDEX idx_episodes_domain ON episodes (domain)',
    'CREATE INDEX idx_episodes_status ON episodes (status)',
    'CREATE INDEX idx_episodes_created ON episodes (created_at)',
    `CREATE TABLE steps (
      id TEXT PRIMARY KEY,
      episode_id TEXT NOT NULL,
      step_number INTEGER NOT NULL,
      action TEXT NOT NULL,
      result TEXT,
      duration_ms INTEGER,
      success BOOLEAN,
      timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
      FOREIGN KEY (episode_id) REFERENCES episodes (id) ON DELETE CASCADE
    )`,
    'CREATE INDEX idx_steps_episode ON steps (episode_id)',
    'CREATE INDEX idx_steps_timestamp ON steps (timestamp)',
    `CREATE TABLE patterns (
      id TEXT PRIMARY KEY,
      pattern_type TEXT NOT NULL,
      pattern_data TEXT NOT NULL,
      success_rate REAL NOT NULL,
      usage_count INTEGER DEFAULT 0,
      last_used DATETIME,
      created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      metadata TEXT
    )`,
    'CREATE INDEX idx_patterns_type ON patterns (pattern_type)',
    'CREATE INDEX idx_patterns_success ON patterns (success_rate)',
    'CREATE INDEX idx_patterns_usage ON patterns (usage_count)',
    `CREATE VIRTUAL TABLE episodes_fts USING fts5(
      task_type, domain, context, content='episodes', content_rowid='rowid'
    )`,
    // External-content FTS tables hold no text of their own: these triggers keep them in step.
    `CREATE TRIGGER episodes_fts_after_insert AFTER INSERT ON episodes BEGIN
      INSERT INTO episodes_fts (rowid, task_type, domain, context)
      VALUES (new.rowid, new.task_type, new.domain, new.context);
    END`,
    `CREATE TRIGGER episodes_fts_after_delete AFTER DELETE ON episodes BEGIN
      INSERT INTO episodes_fts (episodes_fts, rowid, task_type, domain, context)
      VALUES ('delete', old.rowid, old.task_type, old.domain, old.context);
    END`,
    // Only the indexed columns: completing an episode must not rewrite its full-text entry.
    `CREATE TRIGGER episodes_fts_after_update AFTER UPDATE OF task_type, domain, context ON episodes BEGIN
      INSERT INTO episodes_fts (episodes_fts, rowid, task_type, domain, context)
      VALUES ('delete', old.rowid, old.task_type, old.domain, old.context);
      INSERT INTO episodes_fts (rowid, task_type, domain, context)
      VALUES (new.rowid, new.task_type, new.domain, new.context);
    END`,
  ],
};
