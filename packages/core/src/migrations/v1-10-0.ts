import type { Transaction } from '@libsql/client';
import { isoNow, normaliseSeedTimestamps } from './iso-timestamps.js';
import type { Migration } from './migration.js';

/** The seed's tables whose timestamp column defaults to `CURRENT_TIMESTAMP` (`2026-01-02 03:04:05`). */
const seedTimestampTables = ['episodes', 'steps', 'patterns', 'embeddings'];

/**
 * Another connection that still holds the old schema would keep writing the old defaults:
 * a new schema cookie makes every connection read the schema again before its next statement.
 */
async function bumpSchemaCookie(tx: Transaction): Promise<void> {
  const current = Number((await tx.execute('PRAGMA schema_version')).rows[0]?.[0]);
  await tx.execute(`PRAGMA schema_version = ${current + 1}`);
}

/**
 * ISO-8601 defaults on the seed's timestamp columns. A row written without a timestamp (by the
 * stock `sqlite3` CLI, a script, another tool) used to get `2026-01-02 03:04:05`, which sorts
 * before every `2026-01-02T…Z` the engine writes, so `since`/`until` filters and cursors put it
 * in the wrong place.
 *
 * Only the declared defaults change, so this is SQLite's documented in-place schema edit for
 * defaults ("Making Other Kinds Of Table Schema Changes": writable_schema, a new schema cookie)
 * rather than a table rebuild: a rebuild of `episodes` would need foreign keys off, which cannot
 * be switched inside the migration's transaction, and dropping the old table would cascade-delete
 * every step. libSQL servers allow `writable_schema` for the same reason. Rows already written
 * with the old format are rewritten too.
 */
export const v1_10_0: Migration = {
  version: '1.10.0',
  description: 'ISO-8601 defaults on episodes, steps, patterns and embeddings timestamps',
  statements: [
    'PRAGMA writable_schema = ON',
    `UPDATE sqlite_schema SET sql = replace(sql, 'DEFAULT CURRENT_TIMESTAMP', 'DEFAULT (${isoNow.replaceAll("'", "''")})')
      WHERE type = 'table' AND name IN (${seedTimestampTables.map((name) => `'${name}'`).join(', ')})`,
    bumpSchemaCookie,
    // RESET also re-reads the schema on this connection, so the rest of this open sees the new defaults.
    'PRAGMA writable_schema = RESET',
    ...normaliseSeedTimestamps(),
  ],
};
