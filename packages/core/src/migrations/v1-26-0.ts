import type { Transaction } from '@libsql/client';
import { blobText } from '../db/rows.js';
import type { Migration } from './migration.js';

/** The audit log's columns that hold ids and names as callers gave them. */
const columns = ['actor', 'entity_type', 'entity_id', 'domain'] as const;

/**
 * Rewrites the audit rows whose text is not UTF-8 (each bad byte becomes U+FFFD). Until 1.26.0 the
 * log recorded ids as given, in a JSON batch, and SQLite's JSON functions store an escaped lone
 * surrogate (`\ud800`, a pattern id a read token may send) as the bytes of a surrogate: libSQL's
 * driver aborts the process (a Rust panic) on reading them, so every later `admin.audit` took the
 * server down. The rows are found by their bytes (`hex`, which decodes nothing: a surrogate's
 * encoding begins ED A0–BF, which UTF-8 never holds) and read as blobs, which are safe to read.
 * The log is append-only: its update trigger is dropped for the rewrite and made again as 1.5.0
 * made it, inside the migration's transaction (no other connection sees it gone).
 */
async function repairAuditText(tx: Transaction): Promise<void> {
  const suspect = columns.map((column) => `hex(${column}) GLOB '*ED[AB]*'`).join(' OR ');
  const rows = await tx.execute(
    `SELECT rowid AS row_id, ${columns.map((column) => `CAST(${column} AS BLOB) AS ${column}`).join(', ')}
      FROM audit_log WHERE ${suspect}`,
  );
  if (rows.rows.length === 0) return;
  await tx.execute('DROP TRIGGER audit_log_no_update');
  for (const row of rows.rows) {
    const text = columns.map((column) => blobText(row[column]));
    await tx.execute({
      sql: `UPDATE audit_log SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE rowid = ?`,
      args: [...text, row.row_id ?? null],
    });
  }
  await tx.execute(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
      SELECT RAISE(ABORT, 'audit_log is append-only');
    END`);
}

export const v1_26_0: Migration = {
  version: '1.26.0',
  description: 'audit_log: text that is not UTF-8 (an escaped lone surrogate recorded as an id) rewritten',
  statements: [repairAuditText],
};
