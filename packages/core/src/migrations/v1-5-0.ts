import type { Migration } from './migration.js';

/** The audit log: one row per data operation, append-only, never holding content. */
export const v1_5_0: Migration = {
  version: '1.5.0',
  description: 'append-only audit_log',
  statements: [
    `CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      operation TEXT NOT NULL,
      entity_type TEXT NOT NULL,
      entity_id TEXT,
      domain TEXT,
      outcome TEXT NOT NULL
    )`,
    'CREATE INDEX idx_audit_at ON audit_log (at)',
    'CREATE INDEX idx_audit_actor ON audit_log (actor, at)',
    'CREATE INDEX idx_audit_operation ON audit_log (operation, at)',
    // Append-only in the database itself, not only by convention in the engine.
    `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
      SELECT RAISE(ABORT, 'audit_log is append-only');
    END`,
    `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
      SELECT RAISE(ABORT, 'audit_log is append-only');
    END`,
  ],
};
