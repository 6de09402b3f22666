import type { Transaction } from '@libsql/client';

/**
 * Writes pattern reads into the audit log as versions before 1.26.0 did: `[actor, entityId, domain]`
 * triples in a JSON batch, whose escaped lone surrogates (`"\\ud800"` in the JSON text) SQLite
 * stores as the bytes of a surrogate (ED A0 80), which UTF-8 never holds.
 */
export async function writeAuditAsBefore1260(tx: Transaction, json: string): Promise<void> {
  await tx.execute({
    sql: `INSERT INTO audit_log (at, actor, operation, entity_type, entity_id, domain, outcome, count)
      SELECT '2026-12-01T00:00:00.000Z', value ->> 0, 'read', 'pattern', value ->> 1, value ->> 2, 'ok', 1
      FROM json_each(?)`,
    args: [json],
  });
}
