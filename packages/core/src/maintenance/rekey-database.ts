import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Database, openDatabase } from '../db/database.js';
import { EpisodicError } from '../errors.js';
import { migrate } from '../migrations/migrate.js';
import { swapDatabaseFile } from './swap-database-file.js';

export interface RekeyOptions {
  /** The store's database file, which must not be open in any process. */
  path: string;
  /** The key it is encrypted with now; omit for an unencrypted file. */
  encryptionKey?: string | undefined;
  /** The key to encrypt it with; omit to decrypt it. */
  newEncryptionKey?: string | undefined;
  /** The store's cache folder: encrypted with the old key, so it is removed and rebuilt. */
  cachePath?: string | undefined;
}

export interface RekeyReport {
  /** Rows copied per table. */
  rows: Record<string, number>;
  /** Where the file encrypted with the old key now lives. */
  previous: string | null;
}

const pageSize = 1000;

/** The tables that hold data: neither SQLite's own, nor full-text shadow tables (their triggers refill them). */
async function dataTables(db: Database): Promise<string[]> {
  const rows = await db.read(`SELECT name FROM sqlite_master WHERE type = 'table'
    AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts' AND name NOT LIKE '%_fts_%' AND name != 'schema_migrations'`);
  return rows.rows.map((row) => String(row.name));
}

/**
 * Moves a store to a new encryption key (or from none to a key, or back) without losing
 * anything: a new file is made with the same schema and every row copied into it in one
 * transaction, the counts are compared, and only then is it swapped in. The old file is kept.
 */
export async function rekeyDatabase(options: RekeyOptions): Promise<RekeyReport> {
  const path = resolve(options.path);
  const staging = `${path}.rekeying`;
  rmSync(staging, { force: true });
  const base = { busyTimeoutMs: 5000, synchronous: 'full' as const };
  const source = await openDatabase({ ...base, url: `file:${path}`, encryptionKey: options.encryptionKey });
  const target = await openDatabase({
    ...base,
    url: `file:${staging}`,
    encryptionKey: options.newEncryptionKey,
  });
  const rows: Record<string, number> = {};
  try {
    await migrate(source);
    await migrate(target);
    const tables = await dataTables(source);
    await target.write(async (tx) => {
      await tx.execute('PRAGMA defer_foreign_keys = ON');
      for (const table of tables) {
        rows[table] = 0;
        for (let offset = 0; ; offset += pageSize) {
          const page = await source.read({
            sql: `SELECT * FROM ${table} ORDER BY 1, 2 LIMIT ? OFFSET ?`,
            args: [pageSize, offset],
          });
          if (page.rows.length === 0) break;
          const columns = page.columns;
          const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
          await tx.batch(
            page.rows.map((row) => ({ sql: insert, args: columns.map((column) => row[column] ?? null) })),
          );
          rows[table] += page.rows.length;
        }
      }
    });
    for (const table of Object.keys(rows)) {
      const copied = Number((await target.read(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
      if (copied !== rows[table])
        throw new EpisodicError(
          'STORAGE',
          `Rekey copied ${copied} of ${rows[table]} rows of ${table}; nothing was changed.`,
        );
    }
    // Everything into the main file: only that file is moved into place, not its WAL.
    const checkpoint = (await target.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)')).rows[0];
    if (Number(checkpoint?.busy) !== 0)
      throw new EpisodicError('STORAGE', 'Rekey could not checkpoint the new file; nothing was changed.');
  } catch (error) {
    await target.close();
    await source.close();
    rmSync(staging, { force: true });
    throw error;
  }
  await target.close();
  await source.close();
  const previous = swapDatabaseFile(path, staging, 'before-rekey');
  if (options.cachePath !== undefined) rmSync(options.cachePath, { recursive: true, force: true });
  return { rows, previous };
}
