import { resolve } from 'node:path';
import { type Database, openDatabase } from '../db/database.js';
import { assertNewEncryptionKey } from '../db/encryption-key.js';
import { assertDatabaseUnused } from '../db/presence.js';
import { EpisodicError } from '../errors.js';
import { consoleLogger, type Logger } from '../logger.js';
import { migrate } from '../migrations/migrate.js';
import { olderMiningNotice } from '../mining/older-mining.js';
import { rebuildEpisodeDocs } from '../search/episode-docs.js';
import { beginReplacement, settleInterruptedReplacement } from './replace-database-file.js';
import {
  checkpointIntoMainFile,
  maintenanceDatabaseOptions,
  orDiskFull,
  type SwappedFile,
} from './swap-database-file.js';
import { dataTables, tablePages } from './table-pages.js';
import { assertDatabaseFile } from './verify-database.js';

export interface RekeyOptions {
  /** The store's database file, which must not be open in any process (refused while one has it open through `openMemory`). */
  path: string;
  /** The key it is encrypted with now; omit for an unencrypted file. */
  encryptionKey?: string | undefined;
  /** The key to encrypt it with (at least `minEncryptionKeyChars` characters); omit to decrypt it. */
  newEncryptionKey?: string | undefined;
  /** The store's cache folder: encrypted with the old key, so it is removed and rebuilt. */
  cachePath?: string | undefined;
  /** Keep the file under the old key beside the new one; by default it is deleted once the new file is in place. */
  keepOld?: boolean | undefined;
  /** Told what an earlier restore or rekey of `path`, killed part-way, left and how it was settled. */
  logger?: Logger | undefined;
}

export interface RekeyReport extends SwappedFile {
  /** Rows copied per table. */
  rows: Record<string, number>;
  /**
   * When the store was at a schema before 1.23.0 and holds mined patterns: that they hold what an
   * older version's miners learned, and that a remine rebuilds them (`null` otherwise). The rekey
   * upgrades the store, so the open after it has nothing left to say.
   */
  olderMining: string | null;
}

const pageSize = 1000;

/**
 * Moves a store to a new encryption key (or from none to a key, or back) without losing
 * anything: a new file is made with the same schema and every row copied into it in one
 * transaction, the counts are compared, and only then is it swapped in. The old file is then
 * deleted (it holds everything, perhaps in plaintext) unless `keepOld` asks to keep it.
 */
export async function rekeyDatabase(options: RekeyOptions): Promise<RekeyReport> {
  // Before anything else, settling a killed run included: a refused key changes nothing.
  assertNewEncryptionKey(options.newEncryptionKey, 'newEncryptionKey', 'Nothing was changed.');
  const path = resolve(options.path);
  const advice = 'Stop them (servers, workers, scripts) before rekeying.';
  const settled = settleInterruptedReplacement(path);
  if (settled !== null) (options.logger ?? consoleLogger).warn(settled);
  assertDatabaseFile(path);
  assertDatabaseUnused(path, 'rekey', advice);
  const staging = `${path}.rekeying`;
  // From here on a process that opens the store is refused until the swap is done; one killed
  // here is finished or undone by the next process that opens the store.
  const replacement = beginReplacement(path, {
    operation: 'rekey',
    staging,
    keepOld: options.keepOld === true,
    cachePath: options.cachePath,
  });
  let copied: Omit<RekeyReport, keyof SwappedFile>;
  try {
    copied = await copyRows(path, staging, options);
    // A process that opened the store after the check above, before the journal was there, would
    // go on writing to the file about to be replaced.
    assertDatabaseUnused(path, 'rekey', advice);
  } catch (error) {
    replacement.abandon();
    throw orDiskFull(
      error,
      path,
      "nothing was re-encrypted, the store is as it was; free space there (a rekey needs about the store's size), then rekey again",
    );
  }
  return { ...copied, ...replacement.swap() };
}

/**
 * Copies every row of `path` into a new file at `staging` under the new key; returns the counts,
 * checked, and what the upgrade of an older store has to say.
 */
async function copyRows(
  path: string,
  staging: string,
  options: RekeyOptions,
): Promise<Omit<RekeyReport, keyof SwappedFile>> {
  const base = maintenanceDatabaseOptions;
  const source = await openDatabase({ ...base, url: `file:${path}`, encryptionKey: options.encryptionKey });
  let target: Database | undefined;
  try {
    target = await openDatabase({ ...base, url: `file:${staging}`, encryptionKey: options.newEncryptionKey });
    const rows: Record<string, number> = {};
    const olderMining = await olderMiningNotice(source, await migrate(source));
    await migrate(target);
    const tables = await dataTables(source);
    await target.write(async (tx) => {
      await tx.execute('PRAGMA defer_foreign_keys = ON');
      for (const table of tables) {
        rows[table] = 0;
        for await (const page of tablePages(source, table, pageSize)) {
          // A `rowid` column is there to page by; the copy keeps the table's own columns.
          const columns = page.columns.filter((column) => column !== 'rowid');
          const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
          await tx.batch(
            page.rows.map((row) => ({ sql: insert, args: columns.map((column) => row[column] ?? null) })),
          );
          rows[table] += page.rows.length;
        }
      }
      // Steps copied row by row do not pass through the write path that indexes whole episodes.
      for (const statement of rebuildEpisodeDocs) await tx.execute(statement);
    });
    for (const table of Object.keys(rows)) {
      const copied = Number((await target.read(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
      if (copied !== rows[table])
        throw new EpisodicError(
          'STORAGE',
          `Rekey copied ${copied} of ${rows[table]} rows of ${table}; nothing was changed.`,
        );
    }
    await checkpointIntoMainFile(target, 'Rekey could not checkpoint the new file; nothing was changed.');
    return { rows, olderMining };
  } finally {
    await target?.close();
    await source.close();
  }
}
