import type { Migration } from './migration.js';

/**
 * A bounded audit log: a `count` column, so that reads can be recorded one row per caller and
 * minute (`audit.reads: 'per-minute'`), and a gate that lets exactly one path delete from the
 * append-only log: pruning past the retention period opens the gate with its cut-off inside its
 * own transaction (no other connection sees it), so the trigger still refuses any other delete,
 * and any delete of a row at or after the cut-off.
 */
export const v1_9_0: Migration = {
  version: '1.9.0',
  description: 'audit_log: count column, retention pruning gate',
  statements: [
    'ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1',
    'CREATE TABLE audit_prune_gate (before TEXT NOT NULL)',
    'DROP TRIGGER audit_log_no_delete',
    `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      WHEN NOT EXISTS (SELECT 1 FROM audit_prune_gate WHERE OLD.at < before) BEGIN
      SELECT RAISE(ABORT, 'audit_log is append-only: only retention prunes entries past their period');
    END`,
  ],
};
