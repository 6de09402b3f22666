import type { InStatement, ResultSet, Transaction } from '@libsql/client';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { openClientDatabase } from './client-database.js';
import {
  createOwnerOnlyFile,
  type DatabaseLocation,
  ensureParentDirectory,
  locateDatabase,
} from './database-location.js';
import { fileAccessProblem } from './file-access.js';
import { refuseWritesOnceLost } from './lost-file.js';
import { openNativeDatabase } from './native-database.js';
import { unreadable } from './storage-errors.js';

/**
 * Which driver serves a local (`file:` or `:memory:`) URL. `native` (the default) is the
 * synchronous `libsql` package with prepared statements kept per connection; `client` is
 * `@libsql/client`, which remote URLs and embedded replicas always use.
 */
export type LocalDriver = 'native' | 'client';

export interface DatabaseOptions {
  url: string;
  authToken?: string | undefined;
  syncUrl?: string | undefined;
  syncIntervalSeconds?: number | undefined;
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
  /** Encrypts a local file (and its WAL) at rest with libSQL's own encryption. */
  encryptionKey?: string | undefined;
  /** Checkpoint from a worker thread once the WAL grows (local files); default true. */
  backgroundCheckpoints?: boolean | undefined;
  /** SQLite's page cache per connection of the native driver, in MiB (see `pageCacheMiB` in config.ts). */
  pageCacheMiB?: number | undefined;
  /** Default `native`; ignored for remote URLs and embedded replicas. */
  localDriver?: LocalDriver | undefined;
  logger?: Logger | undefined;
}

/** What `Database.maintainAside` does after its statements. */
export interface MaintenanceOptions {
  /**
   * Full-text tables whose index segments are merged into one after the statements (FTS5's
   * `'optimize'`: a deleted row's terms go only then), each in a transaction of its own, so the
   * writer waits for the largest index, not for all of them in one transaction. (FTS5's
   * incremental `'merge'` in bounded steps was tried: every write beside it adds a segment and
   * restarts it, and a purge beside a writer took 45–60 s, with writes waiting up to 17 s.)
   */
  mergeFts?: readonly string[] | undefined;
  /** Checkpoint the WAL and empty it. */
  truncateWal: boolean;
  /**
   * Zero the unused space of every b-tree page of a local file (`unused-space.ts`): where a
   * rebalance left old copies of rows that `secure_delete` never reached.
   */
  zeroUnusedSpace?: boolean | undefined;
}

/** What `Database.maintainAside` did. */
export interface MaintenanceResult {
  walEmptied: boolean;
  heldMs: number;
  /** Rows the last statement changed. */
  changes: number;
  /** Pages whose unused space was zeroed. */
  zeroedPages: number;
}

/**
 * The engine's handle on libSQL.
 *
 * Writes are serialised through one connection: within a process that removes lock contention
 * (and SQLITE_BUSY) entirely, and across processes `BEGIN IMMEDIATE` plus the busy timeout
 * queues writers. Reads use another connection so they run beside a write under WAL.
 * In-memory databases and embedded replicas have a single connection, so there reads queue
 * behind writes too, otherwise a read during an open transaction would be refused.
 */
export interface Database {
  readonly location: DatabaseLocation;
  read(statement: InStatement): Promise<ResultSet>;
  /**
   * A read that runs beside this thread's work: on a local file with the native driver, on a
   * connection of its own in a worker thread (`createReadWorker`), so the main thread can run
   * another statement or JavaScript meanwhile; elsewhere the same as `read`. For statements
   * that return rows; one statement is one snapshot, as with `read`.
   */
  readAside(statement: InStatement): Promise<ResultSet>;
  /** Several reads from one consistent snapshot. */
  readBatch(statements: InStatement[]): Promise<ResultSet[]>;
  /** One transaction: committed when `section` resolves, rolled back when it throws. */
  write<T>(section: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Long maintenance writes (the purge's index merges) in one transaction, then, with
   * `zeroUnusedSpace`, the unused space of pages zeroed in transactions of their own, then, with
   * `truncateWal`, the WAL checkpointed and emptied; resolves to whether it was (`false`: a reader
   * kept frames in use; `true` where there is no WAL) and how long the work held the store's write
   * lock (`heldMs`: a worker's start, and finding the pages to zero, are not counted). On a local
   * file with the native driver they run on a connection of their own in a worker thread, under
   * this store's write lock: this thread's writes wait for them without blocking its event loop,
   * and its reads go on. Elsewhere as writes and a checkpoint on this thread. Statements take no
   * arguments.
   */
  maintainAside(statements: readonly string[], options: MaintenanceOptions): Promise<MaintenanceResult>;
  /** A maintenance statement that must run outside any transaction (a checkpoint, `VACUUM INTO`). */
  executeOutsideTransaction(statement: InStatement): Promise<ResultSet>;
  /**
   * Why every write is refused because the database file this handle opened was deleted or
   * replaced since (`refuseWritesOnceLost`), or null while it is still there (and always for a
   * remote database or `:memory:`). One `stat`.
   */
  lostFile(): string | null;
  /** Stops background checkpoints, then closes the connections. */
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let location: DatabaseLocation;
  try {
    location = locateDatabase(options.url, options.syncUrl);
  } catch (error) {
    throw new EpisodicError('CONFIG', (error as Error).message);
  }
  if (location.path) {
    try {
      ensureParentDirectory(location.path);
      createOwnerOnlyFile(location.path);
      const problem = fileAccessProblem(location.path, 'read and write');
      if (problem !== null) throw new Error(problem);
    } catch (error) {
      throw unreadable(options.url, error, location.path);
    }
  }
  const local = location.kind === 'file' || location.kind === 'memory';
  const db =
    local && options.localDriver !== 'client'
      ? openNativeDatabase(options, location)
      : await openClientDatabase(options, location);
  return location.kind === 'file' && location.path !== undefined
    ? refuseWritesOnceLost(db, location.path, options.logger)
    : db;
}
