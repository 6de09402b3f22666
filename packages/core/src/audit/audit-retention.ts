import type { Database } from '../db/database.js';
import type { AuditLog } from './audit-log.js';

/**
 * Deletes the audit entries older than `before` (backups' entries kept), the one delete the append-only triggers allow:
 * the cut-off goes into `audit_prune_gate` for the length of this transaction only, and the
 * trigger refuses to delete any entry at or after it. The pruning is audited in the same
 * transaction (entity `audit_log`, its id the cut-off and how many entries went).
 */
export async function pruneAuditLog(
  db: Database,
  audit: AuditLog,
  input: { before: string; actor: string },
): Promise<number> {
  return db.write(async (tx) => {
    await tx.execute({ sql: 'INSERT INTO audit_prune_gate (before) VALUES (?)', args: [input.before] });
    // Except the backups written: `forget` names the copies it cannot reach from them
    // (`unreachedCopies`), and a backup does not stop holding data when its entry ages.
    const deleted = await tx.execute({
      sql: `DELETE FROM audit_log WHERE at < ? AND NOT (operation = 'export' AND entity_type = 'database')`,
      args: [input.before],
    });
    await tx.execute('DELETE FROM audit_prune_gate');
    if (deleted.rowsAffected > 0) {
      await audit.inTransaction(tx, {
        actor: input.actor,
        operation: 'admin',
        entityType: 'audit_log',
        entityId: `pruned ${deleted.rowsAffected} entries before ${input.before}`,
        outcome: 'ok',
      });
    }
    return deleted.rowsAffected;
  });
}
