import { isoNow } from './iso-timestamps.js';
import type { Migration } from './migration.js';

/**
 * Pattern mining: evidence columns on `patterns`, the incremental baselines miners see as
 * history, the record of which episodes were mined and in what order (what `remine()` replays),
 * usage feedback, and full-text search over pattern summaries.
 */
export const v1_6_0: Migration = {
  version: '1.6.0',
  description: 'pattern mining: evidence columns, baselines, mined episodes, usage, patterns_fts',
  statements: [
    // Mined per task type when set; domain-wide when NULL.
    'ALTER TABLE patterns ADD COLUMN task_type TEXT',
    'ALTER TABLE patterns ADD COLUMN summary TEXT',
    // NULL for a pattern not produced by mining (written by hand or before this version): it has
    // no recorded evidence, and remine() leaves it alone.
    'ALTER TABLE patterns ADD COLUMN support INTEGER',
    'ALTER TABLE patterns ADD COLUMN successes INTEGER',
    'ALTER TABLE patterns ADD COLUMN wilson_lower REAL',
    'ALTER TABLE patterns ADD COLUMN helped_count INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE patterns ADD COLUMN score REAL NOT NULL DEFAULT 0',
    'ALTER TABLE patterns ADD COLUMN measurements TEXT',
    'ALTER TABLE patterns ADD COLUMN updated_at DATETIME',
    // relevantPatterns: best-ranked in a domain and task type, or domain-wide. Every index on
    // score is rewritten by each mined episode, so there is deliberately no cross-domain one.
    'CREATE INDEX idx_patterns_domain_task_score ON patterns (domain, task_type, score)',
    // task_type '' is the whole domain; real task types are snake_case, so never empty.
    `CREATE TABLE pattern_baselines (
      domain TEXT NOT NULL,
      task_type TEXT NOT NULL,
      stats TEXT NOT NULL CHECK (json_valid(stats)),
      PRIMARY KEY (domain, task_type)
    ) WITHOUT ROWID`,
    `CREATE TABLE mined_episodes (
      episode_id TEXT PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      succeeded INTEGER NOT NULL,
      pending INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID`,
    'CREATE UNIQUE INDEX idx_mined_episodes_seq ON mined_episodes (seq)',
    'CREATE INDEX idx_mined_episodes_pending ON mined_episodes (seq) WHERE pending = 1',
    `CREATE TABLE pattern_usages (
      pattern_id TEXT NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
      episode_id TEXT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
      helped INTEGER NOT NULL,
      used_at DATETIME NOT NULL DEFAULT (${isoNow}),
      PRIMARY KEY (pattern_id, episode_id)
    ) WITHOUT ROWID`,
    'CREATE INDEX idx_pattern_usages_episode ON pattern_usages (episode_id)',
    `CREATE VIRTUAL TABLE patterns_fts USING fts5(
      pattern_type, summary, content='patterns', content_rowid='rowid'
    )`,
    `CREATE TRIGGER patterns_fts_after_insert AFTER INSERT ON patterns BEGIN
      INSERT INTO patterns_fts (rowid, pattern_type, summary) VALUES (new.rowid, new.pattern_type, new.summary);
    END`,
    `CREATE TRIGGER patterns_fts_after_delete AFTER DELETE ON patterns BEGIN
      INSERT INTO patterns_fts (patterns_fts, rowid, pattern_type, summary)
      VALUES ('delete', old.rowid, old.pattern_type, old.summary);
    END`,
    // Only the indexed columns: accumulating evidence must not rewrite the full-text entry.
    `CREATE TRIGGER patterns_fts_after_update AFTER UPDATE OF pattern_type, summary ON patterns BEGIN
      INSERT INTO patterns_fts (patterns_fts, rowid, pattern_type, summary)
      VALUES ('delete', old.rowid, old.pattern_type, old.summary);
      INSERT INTO patterns_fts (rowid, pattern_type, summary) VALUES (new.rowid, new.pattern_type, new.summary);
    END`,
    "INSERT INTO patterns_fts (patterns_fts) VALUES ('rebuild')",
  ],
};
