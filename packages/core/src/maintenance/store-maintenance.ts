import { resolve } from 'node:path';
import { type AuditEvent, localActor } from '../audit/audit-event.js';
import type { EngineContext } from '../engine-context.js';
import type { CallOptions } from '../types.js';
import { backupDatabase } from './backup-database.js';
import { type RepairReport, repairDatabase } from './repair-database.js';
import type { VerifyReport } from './verify-database.js';

export interface StoreMaintenanceHooks {
  /** Drops every cached copy: a repair changes rows behind the cache's back. */
  repaired: () => void;
}

/**
 * The maintenance operations that need the open store's database handle: a backup taken while
 * the store keeps serving, and a repair. Both are audited (`export` and `admin`, entity
 * `database`), with their outcome, never their content.
 */
export function createStoreMaintenance(context: EngineContext, hooks: StoreMaintenanceHooks) {
  const { db, audit, config } = context;

  async function audited<T>(
    event: Omit<AuditEvent, 'actor' | 'outcome'>,
    options: CallOptions,
    run: () => Promise<T>,
  ): Promise<T> {
    const actor = options.actor ?? localActor;
    try {
      const result = await run();
      audit.record({ ...event, actor, outcome: 'ok' });
      return result;
    } catch (error) {
      audit.record({ ...event, actor, outcome: 'error' });
      throw error;
    } finally {
      await audit.flush();
    }
  }

  return {
    /**
     * Writes a consistent snapshot of this (local file) store to `destination`, which must not
     * exist, while other calls and processes keep writing; an encrypted store gives a backup
     * encrypted with the same key. The copy is verified before this returns.
     */
    async backup(destination: string, options: CallOptions = {}): Promise<VerifyReport> {
      // The path is audited so that `forget` can name the backups it cannot reach: before the
      // file gets its name, so that no backup exists that a killed run left unaudited.
      const event = { operation: 'export', entityType: 'database', entityId: resolve(destination) } as const;
      const actor = options.actor ?? localActor;
      let published = false;
      try {
        return await backupDatabase(db, destination, {
          encryptionKey: config.encryptionKey,
          logger: config.logger,
          beforePublish: async () => {
            audit.record({ ...event, actor, outcome: 'ok' });
            await audit.flush();
            published = true;
          },
        });
      } catch (error) {
        if (!published) audit.record({ ...event, actor, outcome: 'error' });
        throw error;
      } finally {
        await audit.flush();
      }
    },

    /**
     * Reports orphans (steps or embeddings without their episode, links to missing rows) and,
     * unless `dryRun`, mends them and rebuilds the full-text indexes (see `RepairReport`).
     */
    repair(input: { dryRun?: boolean } = {}, options: CallOptions = {}): Promise<RepairReport> {
      return audited({ operation: 'admin', entityType: 'database' }, options, async () => {
        const report = await repairDatabase(db, { dryRun: input.dryRun === true });
        if (input.dryRun !== true) hooks.repaired();
        return report;
      });
    },
  };
}
