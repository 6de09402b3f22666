import type { Database } from '../db/database.js';
import { EpisodicError } from '../errors.js';
import { compareVersions, type Migration } from './migration.js';
import { v1_0_0 } from './v1-0-0.js';
import { v1_1_0 } from './v1-1-0.js';
import { v1_2_0 } from './v1-2-0.js';
import { v1_3_0 } from './v1-3-0.js';
import { v1_4_0 } from './v1-4-0.js';
import { v1_5_0 } from './v1-5-0.js';
import { v1_6_0 } from './v1-6-0.js';
import { v1_7_0 } from './v1-7-0.js';
import { v1_8_0 } from './v1-8-0.js';
import { v1_9_0 } from './v1-9-0.js';
import { v1_10_0 } from './v1-10-0.js';
import { v1_11_0 } from './v1-11-0.js';
import { v1_12_0 } from './v1-12-0.js';
import { v1_14_0 } from './v1-14-0.js';
import { v1_15_0 } from './v1-15-0.js';
import { v1_16_0 } from './v1-16-0.js';
import { v1_17_0 } from './v1-17-0.js';
import { v1_18_0 } from './v1-18-0.js';
import { v1_19_0 } from './v1-19-0.js';
import { v1_20_0 } from './v1-20-0.js';
import { v1_21_0 } from './v1-21-0.js';
import { v1_22_0 } from './v1-22-0.js';
import { v1_23_0 } from './v1-23-0.js';
import { v1_24_0 } from './v1-24-0.js';
import { v1_25_0 } from './v1-25-0.js';
import { v1_26_0 } from './v1-26-0.js';

export const migrations: readonly Migration[] = [
  v1_0_0,
  v1_1_0,
  v1_2_0,
  v1_3_0,
  v1_4_0,
  v1_5_0,
  v1_6_0,
  v1_7_0,
  v1_8_0,
  v1_9_0,
  v1_10_0,
  v1_11_0,
  v1_12_0,
  v1_14_0,
  v1_15_0,
  v1_16_0,
  v1_17_0,
  v1_18_0,
  v1_19_0,
  v1_20_0,
  v1_21_0,
  v1_22_0,
  v1_23_0,
  v1_24_0,
  v1_25_0,
  v1_26_0,
];

export const latestSchemaVersion: string = migrations[migrations.length - 1]?.version ?? '0.0.0';

export interface MigrationReport {
  /** Schema version before opening; `null` for a new database. */
  from: string | null;
  to: string;
  applied: string[];
}

/**
 * Brings the schema up to the newest version this package knows, in one transaction, so a
 * database is either fully upgraded or left as it was. `BEGIN IMMEDIATE` also keeps two
 * processes opening the same file from both applying a migration.
 */
export async function migrate(
  db: Database,
  available: readonly Migration[] = migrations,
): Promise<MigrationReport> {
  const target = available[available.length - 1]?.version ?? '0.0.0';
  return db.write(async (tx) => {
    await tx.execute(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version TEXT PRIMARY KEY,
      description TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const rows = (await tx.execute('SELECT version FROM schema_migrations')).rows;
    const applied = new Set(rows.map((row) => String(row.version)));
    const current = [...applied].sort(compareVersions).at(-1) ?? null;
    if (current !== null && compareVersions(current, target) > 0) {
      throw new EpisodicError(
        'SCHEMA_VERSION',
        `The database is at schema version ${current}, newer than this @episodic/core supports (${target}). ` +
          'Upgrade Episodic to open it; it was left untouched.',
      );
    }
    const pending = available.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      for (const statement of migration.statements) {
        if (typeof statement === 'string') await tx.execute(statement);
        else await statement(tx);
      }
      await tx.execute({
        sql: 'INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)',
        args: [migration.version, migration.description, new Date().toISOString()],
      });
    }
    return { from: current, to: target, applied: pending.map((migration) => migration.version) };
  });
}
