import { statSync } from 'node:fs';
import { type Client, createClient } from '@libsql/client';
import { fileAccessProblem } from '../db/file-access.js';
import { isDamaged } from '../db/storage-errors.js';
import { EpisodicError } from '../errors.js';
import { latestSchemaVersion } from '../migrations/migrate.js';
import { compareVersions } from '../migrations/migration.js';
import { ftsTables } from './fts-tables.js';
import { pendingReplacement } from './replace-database-file.js';
import { maintenanceDatabaseOptions } from './swap-database-file.js';

export interface VerifyReport {
  ok: boolean;
  /** Every problem found, in words an operator can act on; empty when `ok`. */
  problems: string[];
  schemaVersion: string | null;
  counts: { episodes: number; steps: number; patterns: number; embeddings: number };
}

export interface VerifyOptions {
  encryptionKey?: string | undefined;
}

/**
 * Refuses a path that holds no file to read as a database: opening it would create an empty one
 * (and report on, or rekey, that), or fail on a folder with a driver error that names no path.
 */
export function assertDatabaseFile(path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) throw new EpisodicError('NOT_FOUND', `No database file at ${path}.`);
  if (!stat.isFile())
    throw new EpisodicError(
      'VALIDATION',
      `${path} is ${stat.isDirectory() ? 'a folder' : 'not a regular file'}, not a database file.`,
    );
}

/**
 * Checks a database file (a backup, or a store before it is opened) without changing it:
 * SQLite's integrity check, foreign keys, the full-text indexes and the schema version.
 */
export async function verifyDatabase(path: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: string[] = [];
  const counts = { episodes: 0, steps: 0, patterns: 0, embeddings: 0 };
  let schemaVersion: string | null = null;
  // Before the file check: mid-swap there may be no file at the path, or the one to be replaced.
  const pending = pendingReplacement(path);
  if (pending !== null) return { ok: false, problems: [pending], schemaVersion, counts };
  assertDatabaseFile(path);
  const unreadable = fileAccessProblem(path, 'read');
  if (unreadable !== null) return { ok: false, problems: [unreadable], schemaVersion, counts };
  let client: Client;
  try {
    client = createClient({ url: `file:${path}`, encryptionKey: options.encryptionKey, intMode: 'number' });
  } catch (error) {
    // Refused by the driver before anything was read: a report too, never a stack.
    return {
      ok: false,
      problems: [`cannot open the file: ${(error as Error).message}`],
      schemaVersion,
      counts,
    };
  }
  try {
    // FTS5's integrity check is a write statement: it waits for another process's write (a
    // server, `episodic audit`), as the maintenance commands do, instead of failing at once.
    await client.execute(`PRAGMA busy_timeout = ${maintenanceDatabaseOptions.busyTimeoutMs}`);
    const integrity = (await client.execute('PRAGMA integrity_check')).rows.map((row) =>
      String(row.integrity_check),
    );
    if (integrity.join() !== 'ok') problems.push(`integrity check: ${integrity.slice(0, 5).join('; ')}`);
    const versions = await client.execute('SELECT version FROM schema_migrations');
    schemaVersion =
      versions.rows
        .map((row) => String(row.version))
        .sort(compareVersions)
        .at(-1) ?? null;
    if (schemaVersion === null) problems.push('no schema version recorded: not an Episodic database');
    else if (compareVersions(schemaVersion, latestSchemaVersion) > 0) {
      problems.push(
        `schema version ${schemaVersion} is newer than this Episodic supports (${latestSchemaVersion})`,
      );
    }
    const orphans = await client.execute('PRAGMA foreign_key_check');
    if (orphans.rows.length > 0)
      problems.push(`${orphans.rows.length} rows point at missing rows (run repair)`);
    const tables = new Set(
      (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((row) =>
        String(row.name),
      ),
    );
    // A file of an earlier schema lacks the tables later versions added, which opening it creates:
    // only in a file of the current schema is a missing one a problem (checked, and reported, below).
    const current = schemaVersion !== null && compareVersions(schemaVersion, latestSchemaVersion) >= 0;
    const present = (table: string) => current || tables.has(table);
    for (const table of ftsTables.filter(present)) {
      await client.execute(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`).catch((error) => {
        // A mismatch is reported as corruption; anything else (still busy after the wait) is not
        // one, and is said as it is rather than sending the operator to repair a sound index.
        const message = (error as Error).message;
        problems.push(
          isDamaged(error, message)
            ? `${table} does not match its table (run repair)`
            : `${table} could not be checked: ${message}`,
        );
      });
    }
    for (const table of (Object.keys(counts) as (keyof typeof counts)[]).filter(present)) {
      counts[table] = Number((await client.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    }
  } catch (error) {
    problems.push(
      `cannot read the file: ${(error as Error).message} (wrong encryption key, or not a database)`,
    );
  } finally {
    client.close();
  }
  return { ok: problems.length === 0, problems, schemaVersion, counts };
}
