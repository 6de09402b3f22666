import { isoNow, normaliseSeedTimestamps } from './iso-timestamps.js';
import type { Migration } from './migration.js';

/** Episodic's first own migration: what the engine needs beyond the seed's tables. */
export const v1_2_0: Migration = {
  version: '1.2.0',
  description: 'episode_patterns, steps_fts, step metadata, pattern domain, composite indexes',
  statements: [
    `CREATE TABLE episode_patterns (
      episode_id TEXT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
      pattern_id TEXT NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
      created_at DATETIME NOT NULL DEFAULT (${isoNow}),
      PRIMARY KEY (episode_id, pattern_id)
    ) WITHOUT ROWID`,
    'CREATE INDEX idx_episode_patterns_pattern ON episode_patterns (pattern_id)',
    'ALTER TABLE steps ADD COLUMN metadata TEXT',
    // Patterns are mined per domain; the column is what keeps one domain's patterns from another.
    'ALTER TABLE patterns ADD COLUMN domain TEXT',
    'CREATE UNIQUE INDEX idx_steps_episode_number ON steps (episode_id, step_number)',
    // The seed's "by domain and time, newest first" query, with id as the pagination tie-break.
    'CREATE INDEX idx_episodes_domain_created ON episodes (domain, created_at, id)',
    'CREATE INDEX idx_patterns_type_success ON patterns (pattern_type, success_rate)',
    'CREATE INDEX idx_patterns_domain_type ON patterns (domain, pattern_type, success_rate)',
    ...normaliseSeedTimestamps(),
    // A past error is the most useful thing to find again, so step actions and results are searchable.
    `CREATE VIRTUAL TABLE steps_fts USING fts5(
      action, result, content='steps', content_rowid='rowid'
    )`,
    `CREATE TRIGGER steps_fts_after_insert AFTER INSERT ON steps BEGIN
      INSERT INTO steps_fts (rowid, action, result) VALUES (new.rowid, new.action, new.result);
    END`,
    `CREATE TRIGGER steps_fts_after_delete AFTER DELETE ON steps BEGIN
      INSERT INTO steps_fts (steps_fts, rowid, action, result) VALUES ('delete', old.rowid, old.action, old.result);
    END`,
    `CREATE TRIGGER steps_fts_after_update AFTER UPDATE OF action, result ON steps BEGIN
      INSERT INTO steps_fts (steps_fts, rowid, action, result) VALUES ('delete', old.rowid, old.action, old.result);
      INSERT INTO steps_fts (rowid, action, result) VALUES (new.rowid, new.action, new.result);
    END`,
    // Steps stored before this version get indexed too.
    "INSERT INTO steps_fts (steps_fts) VALUES ('rebuild')",
  ],
};
