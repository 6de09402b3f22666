import { createClient, type Client, type InStatement, type ResultSet, type Transaction } from '@libsql/client';
import { EpisodicError } from '../errors.js';
import { ensureParentDirectory, locateDatabase, type DatabaseLocation } from './database-location.js';
import { Mutex } from './mutex.js';

export interface DatabaseOptions {
  url: string;
  authToken?: string | undefined;
  syncUrl?: string | undefined;
  syncIntervalSeconds?: number | undefined;
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
}

/**
 * The engine's handle on libSQL.
 *
 * Writes are serialised through one connection: within a process that removes lock contention
 * (and SQLITE_BUSY) entirely, and across processes `BEGIN IMMEDIATE` plus the busy timeout
 * queues writers. Reads use the client's connection pool so they run beside a write under WAL.
 * In-memory databases and embedded replicas have a single connection, so there reads queue
 * behind writes too, otherwise a read during an open transaction would be refused.
 */
export interface Database {
  readonly location: DatabaseLocation;
  read(statement: InStatement): Promise<ResultSet>;
  /** Several reads from one consistent snapshot. */
  readBatch(statements: InStatement[]): Promise<ResultSet[]>;
  write<T>(section: (tx: Transaction) => Promise<T>): Promise<T>;
  /** The reading client, for maintenance statements that must run outside a transaction. */
  readonly client: Client;
  close(): void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let location: DatabaseLocation;
  try {
    location = locateDatabase(options.url, options.syncUrl);
  } catch (error) {
    throw new EpisodicError('CONFIG', (error as Error).message);
  }
  if (location.path) ensureParentDirectory(location.path);

  const clientConfig = {
    url: options.url,
    authToken: options.authToken,
    syncUrl: options.syncUrl,
    syncInterval: options.syncIntervalSeconds,
    timeout: options.busyTimeoutMs,
    intMode: 'number' as const,
  };
  const singleConnection = location.kind === 'memory' || location.kind === 'replica';
  const local = location.kind === 'file' || location.kind === 'memory';

  let reader: Client;
  let writer: Client;
  try {
    reader = createClient(clientConfig);
    writer = singleConnection ? reader : createClient({ ...clientConfig, concurrency: 1 });
    if (location.kind === 'file') {
      // journal_mode is stored in the file; synchronous is per connection, and only the writer writes.
      await writer.execute('PRAGMA journal_mode = WAL');
    }
    if (local) {
      await writer.execute(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    }
  } catch (error) {
    throw new EpisodicError('STORAGE', `Cannot open the database at ${options.url}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const writes = new Mutex();
  return {
    location,
    client: reader,
    read: (statement) =>
      singleConnection ? writes.run(() => reader.execute(statement)) : reader.execute(statement),
    readBatch: (statements) =>
      singleConnection
        ? writes.run(() => reader.batch(statements, 'read'))
        : reader.batch(statements, 'read'),
    write: (section) =>
      writes.run(async () => {
        const tx = await writer.transaction('write');
        try {
          const result = await section(tx);
          await tx.commit();
          return result;
        } catch (error) {
          if (!tx.closed) await tx.rollback();
          throw error;
        } finally {
          tx.close();
        }
      }),
    close: () => {
      if (writer !== reader) writer.close();
      reader.close();
    },
  };
}
