import { setTimeout as sleep } from 'node:timers/promises';
import type { InStatement, ResultSet } from '@libsql/client';
import { checkpointOnClose } from './checkpoint-on-close.js';
import type { Database, DatabaseOptions } from './database.js';
import type { DatabaseLocation } from './database-location.js';
import { maintainInline, maintainInWorker } from './maintenance-worker.js';
import { fileWriteLock, Mutex } from './mutex.js';
import { NativeConnection } from './native-connection.js';
import { NativeTransaction } from './native-transaction.js';
import { createReadWorker } from './read-worker.js';
import { startCheckpoints } from './start-checkpoints.js';
import { asStorageError, createOperationGuard, isBusy, unreadable } from './storage-errors.js';

/** Longest pause between two tries of a write transaction while another process holds the lock. */
const maxBusyPauseMs = 25;

/**
 * The connection that writes: WAL (stored in the file), its durability, and `secure_delete`,
 * which overwrites deleted content with zeros so that forgotten text does not linger in free pages.
 */
function openWriter(path: string, options: DatabaseOptions, location: DatabaseLocation): NativeConnection {
  const writer = new NativeConnection(path, options);
  try {
    if (location.kind === 'file') writer.execute('PRAGMA journal_mode = WAL');
    writer.execute(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    writer.execute('PRAGMA secure_delete = ON');
    // Its `BEGIN IMMEDIATE` fails at once on another process's lock, and `beginWrite` tries again
    // after a pause: SQLite's busy handler would wait on this thread, and the driver is synchronous,
    // so every request the process serves stopped for as long (up to `busyTimeoutMs`).
    if (location.kind === 'file') writer.execute('PRAGMA busy_timeout = 0');
  } catch (error) {
    writer.close();
    throw error;
  }
  return writer;
}

/** Several reads in one read transaction, so they see one snapshot. */
function readSnapshot(connection: NativeConnection, statements: InStatement[]): ResultSet[] {
  // One statement is its own snapshot: BEGIN and COMMIT would be two more calls into the driver.
  if (statements.length === 1 && !connection.inTransaction)
    return [connection.execute(statements[0] as InStatement)];
  connection.execute('BEGIN DEFERRED');
  try {
    const results = statements.map((statement) => connection.execute(statement));
    connection.execute('COMMIT');
    return results;
  } finally {
    connection.rollbackIfOpen();
  }
}

/**
 * The `Database` for `file:` and `:memory:` URLs, on the synchronous `libsql` driver (the
 * engine `@libsql/client` wraps, without its per-call statement preparation). A file gets two
 * connections: one that writes, one that reads beside an open write transaction under WAL. An
 * in-memory database exists only on the connection that made it, so there reads queue behind
 * writes on the one connection.
 */
export function openNativeDatabase(options: DatabaseOptions, location: DatabaseLocation): Database {
  const path = location.kind === 'memory' ? ':memory:' : (location.path as string);
  let writer: NativeConnection;
  let reader: NativeConnection;
  try {
    writer = openWriter(path, options, location);
  } catch (error) {
    throw unreadable(options.url, error, location.path);
  }
  try {
    reader = location.kind === 'memory' ? writer : new NativeConnection(path, options);
    // The reader writes too: `VACUUM INTO` (backups) and `VACUUM` (restores) run on it, and without
    // it their copies' interior pages keep the rows they held as leaves, out of `forget`'s reach.
    if (reader !== writer) reader.execute('PRAGMA secure_delete = ON');
  } catch (error) {
    writer.close();
    throw unreadable(options.url, error, location.path);
  }

  const singleConnection = reader === writer;
  const writes = location.path === undefined ? new Mutex() : fileWriteLock(location.path);
  const checkpoints = startCheckpoints(options, location, writes, (sql) => writer.execute(sql));
  const guarded = createOperationGuard();
  const reading = <T>(read: () => T) =>
    guarded(() => (singleConnection ? writes.run(async () => read()) : read()));
  const read = (statement: InStatement) => reading(() => reader.execute(statement));
  // An in-memory database exists only on its one connection: no other can read it.
  const aside =
    location.kind === 'file' && location.path !== undefined
      ? createReadWorker({
          path: location.path,
          busyTimeoutMs: options.busyTimeoutMs,
          encryptionKey: options.encryptionKey,
          pageCacheMiB: options.pageCacheMiB,
          logger: options.logger,
        })
      : null;

  /**
   * The write transaction, begun once no other process holds the lock: tried again after pauses
   * that grow to `maxBusyPauseMs`, until `busyTimeoutMs` has passed, the thread free meanwhile.
   */
  const beginWrite = async (): Promise<NativeTransaction> => {
    const deadline = performance.now() + options.busyTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, maxBusyPauseMs)) {
      try {
        writer.execute('BEGIN IMMEDIATE');
        return new NativeTransaction(writer);
      } catch (error) {
        const left = deadline - performance.now();
        if (left > 0 && isBusy(error, error instanceof Error ? error.message : String(error))) {
          await sleep(Math.min(pause, left));
          continue;
        }
        // A BEGIN that failed on another process's lock must not leave this connection in a
        // half-open state for the next writer: start over on a fresh connection (a file's only:
        // an in-memory database lives and dies with its one connection).
        if (!singleConnection) {
          writer.close();
          writer = openWriter(path, options, location);
        }
        throw error;
      }
    }
  };

  const database: Database = {
    location,
    read,
    readAside: async (statement) => {
      if (aside === null) return read(statement);
      // Not through the guard: the turn of the event loop it takes after 64 operations without one
      // (for native statements' finalizers) would hold the read back behind whatever this thread
      // runs next, the very work it is sent aside to run beside (a retrieve's whole-episode
      // ranking). Sent to the worker, it runs no statement here (this async body reaches the post
      // before its first await); run inline instead (the worker not up), it goes through `read`,
      // so through the guard.
      try {
        return await aside.read(statement, read);
      } catch (error) {
        throw asStorageError(error);
      }
    },
    readBatch: (statements) => reading(() => readSnapshot(reader, statements)),
    // Only a local file can be lost; `refuseWritesOnceLost` watches it.
    lostFile: () => null,
    executeOutsideTransaction: (statement) => reading(() => reader.execute(statement)),
    maintainAside: async (statements, maintenance) => {
      // An in-memory database exists only on its one connection: no other can write it.
      if (location.kind === 'file' && location.path !== undefined) {
        try {
          const done = await maintainInWorker(
            {
              path: location.path,
              busyTimeoutMs: options.busyTimeoutMs,
              synchronous: options.synchronous,
              encryptionKey: options.encryptionKey,
              logger: options.logger,
            },
            statements,
            maintenance,
            (section) => guarded(() => writes.run(section)),
          );
          if (done !== null) return done;
        } catch (error) {
          throw asStorageError(error);
        }
      }
      return maintainInline(database, statements, maintenance);
    },
    write: (section) =>
      guarded(() =>
        writes.run(async () => {
          const tx = await beginWrite();
          try {
            const result = await section(tx);
            await tx.commit();
            checkpoints?.afterCommit();
            return result;
          } finally {
            tx.close();
          }
        }),
      ),
    close: async () => {
      // The workers first: once the main connections close, one could be the last one open; and
      // a read the read worker still owes falls back to the reader.
      await aside?.stop();
      await checkpoints?.stop();
      if (location.kind === 'file') await checkpointOnClose((sql) => writer.execute(sql));
      writer.close();
      if (!singleConnection) reader.close();
    },
  };
  return database;
}
