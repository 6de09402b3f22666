import { type Client, createClient } from '@libsql/client';
import { checkpointOnClose } from './checkpoint-on-close.js';
import type { Database, DatabaseOptions } from './database.js';
import type { DatabaseLocation } from './database-location.js';
import { maintainInline } from './maintenance-worker.js';
import { fileWriteLock, Mutex } from './mutex.js';
import { startCheckpoints } from './start-checkpoints.js';
import { createOperationGuard, unreadable } from './storage-errors.js';

async function tuneWriter(writer: Client, options: DatabaseOptions): Promise<void> {
  await writer.execute(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  await writer.execute('PRAGMA secure_delete = ON');
}

/**
 * The `Database` over `@libsql/client`: remote libSQL servers, Turso and embedded replicas. Reads
 * use the client's connection pool so they run beside a write; in-memory databases and embedded
 * replicas have a single connection, so there reads queue behind writes.
 */
export async function openClientDatabase(
  options: DatabaseOptions,
  location: DatabaseLocation,
): Promise<Database> {
  const clientConfig = {
    url: options.url,
    authToken: options.authToken,
    syncUrl: options.syncUrl,
    syncInterval: options.syncIntervalSeconds,
    timeout: options.busyTimeoutMs,
    encryptionKey: options.encryptionKey,
    intMode: 'number' as const,
  };
  const singleConnection = location.kind === 'memory' || location.kind === 'replica';
  const local = location.kind === 'file' || location.kind === 'memory';

  let reader: Client | undefined;
  let writer: Client | undefined;
  try {
    reader = createClient(clientConfig);
    writer = singleConnection ? reader : createClient({ ...clientConfig, concurrency: 1 });
    // journal_mode is stored in the file; the rest is per connection, and only the writer writes.
    if (location.kind === 'file') await writer.execute('PRAGMA journal_mode = WAL');
    if (local) await tuneWriter(writer, options);
    // As on the native driver: `VACUUM INTO` and `VACUUM` run on the reader (see native-database.ts).
    if (local && !singleConnection) await reader.execute('PRAGMA secure_delete = ON');
    // A remote client connects lazily: asked here, an unreachable server is named with its url
    // at open, not reported by the first migration query as "Database operation failed".
    if (location.kind === 'remote') await reader.execute('SELECT 1');
  } catch (error) {
    writer?.close();
    reader?.close();
    throw unreadable(options.url, error, location.path);
  }

  // Narrowed once here: closures below cannot see the assignments inside try.
  const readClient: Client = reader;
  const writeClient: Client = writer;
  const writes = location.path === undefined ? new Mutex() : fileWriteLock(location.path);
  const checkpoints = startCheckpoints(options, location, writes, (sql) => writeClient.execute(sql));
  const guarded = createOperationGuard();
  const reading = <T>(read: () => Promise<T>) =>
    guarded(() => (singleConnection ? writes.run(read) : read()));
  const database: Database = {
    location,
    read: (statement) => reading(() => readClient.execute(statement)),
    // A remote read already leaves this thread free; a local file on this driver is the baseline
    // `localDriver: 'client'` compares against, so it reads as it always did.
    readAside: (statement) => reading(() => readClient.execute(statement)),
    readBatch: (statements) => reading(() => readClient.batch(statements, 'read')),
    // Only a local file can be lost; `refuseWritesOnceLost` watches it.
    lostFile: () => null,
    executeOutsideTransaction: (statement) => reading(() => readClient.execute(statement)),
    // A remote store's statements run on its server; a local file on this driver is the baseline.
    maintainAside: (statements, maintenance) => maintainInline(database, statements, maintenance),
    write: (section) =>
      guarded(() =>
        writes.run(async () => {
          const tx = await writeClient.transaction('write').catch(async (error: unknown) => {
            // A BEGIN that timed out on another process's lock stays pending on its connection and
            // would make every later COMMIT there fail; start over on fresh connections.
            await writeClient.reconnect();
            if (local) await tuneWriter(writeClient, options);
            throw error;
          });
          try {
            const result = await section(tx);
            await tx.commit();
            checkpoints?.afterCommit();
            return result;
          } catch (error) {
            if (!tx.closed) await tx.rollback();
            throw error;
          } finally {
            tx.close();
          }
        }),
      ),
    close: async () => {
      // The worker first: once the main connections close, it could be the last one open.
      await checkpoints?.stop();
      // Not an embedded replica's file: its WAL is what it syncs.
      if (location.kind === 'file') await checkpointOnClose((sql) => writeClient.execute(sql));
      if (writeClient !== readClient) writeClient.close();
      readClient.close();
    },
  };
  return database;
}
