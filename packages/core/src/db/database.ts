import {
  type Client,
  createClient,
  type InStatement,
  type ResultSet,
  type Transaction,
} from '@libsql/client';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createBackgroundCheckpoints } from './background-checkpoints.js';
import {
  createOwnerOnlyFile,
  type DatabaseLocation,
  ensureParentDirectory,
  locateDatabase,
} from './database-location.js';
import { fileWriteLock, Mutex } from './mutex.js';

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
  logger?: Logger | undefined;
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
  /** Stops background checkpoints, then closes the connections. */
  close(): Promise<void>;
}

const letEventLoopRunEvery = 64;

/**
 * Per-connection settings of the one connection that writes: its durability, and
 * `secure_delete`, which overwrites deleted content with zeros so that forgotten text does not
 * linger in free pages.
 */
async function tuneWriter(writer: Client, options: DatabaseOptions): Promise<void> {
  await writer.execute(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  await writer.execute('PRAGMA secure_delete = ON');
}

/**
 * libSQL says only "not a database" both for a wrong or missing encryption key and for a
 * damaged file; the message names what the operator can do about either.
 */
function unreadable(url: string, error: unknown): EpisodicError {
  const message = (error as Error).message;
  const hint = /NOTADB|not a database|CORRUPT|malformed/i.test(message)
    ? ' The file is encrypted with another key (or none), or it is damaged: check the encryption key, ' +
      'or restore a backup with `episodic restore <file>`.'
    : '';
  return new EpisodicError('STORAGE', `Cannot open the database at ${url}: ${message}.${hint}`, {
    cause: error,
  });
}

/** Our own refusals pass through; anything libSQL throws becomes a `STORAGE` error that keeps it as `cause`. */
function asStorageError(error: unknown): EpisodicError {
  if (EpisodicError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EpisodicError('STORAGE', `Database operation failed: ${message}`, { cause: error });
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
    } catch (error) {
      throw unreadable(options.url, error);
    }
  }

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
    if (location.kind === 'file') {
      // journal_mode is stored in the file; the rest is per connection, and only the writer writes.
      await writer.execute('PRAGMA journal_mode = WAL');
    }
    if (local) await tuneWriter(writer, options);
  } catch (error) {
    writer?.close();
    reader?.close();
    throw unreadable(options.url, error);
  }

  // Narrowed once here: closures below cannot see the assignments inside try.
  const readClient: Client = reader;
  const writeClient: Client = writer;
  const writes = location.path === undefined ? new Mutex() : fileWriteLock(location.path);
  const checkpoints =
    location.kind === 'file' && location.path !== undefined && options.backgroundCheckpoints !== false
      ? createBackgroundCheckpoints({
          path: location.path,
          url: options.url,
          encryptionKey: options.encryptionKey,
          logger: options.logger,
          setAutocheckpoint: (pages) =>
            void writes
              .run(() => writeClient.execute(`PRAGMA wal_autocheckpoint = ${pages}`))
              .catch(() => undefined),
        })
      : null;
  let operations = 0;
  const guarded = async <T>(operation: () => Promise<T>): Promise<T> => {
    // libSQL's native statements are freed by finalizers that run only when the event loop
    // turns; a caller awaiting us in a tight loop never lets it, and memory grows without bound.
    operations += 1;
    if (operations % letEventLoopRunEvery === 0) await new Promise((resolve) => setImmediate(resolve));
    return operation().catch((error: unknown) => {
      throw asStorageError(error);
    });
  };
  return {
    location,
    client: readClient,
    read: (statement) =>
      guarded(() =>
        singleConnection ? writes.run(() => readClient.execute(statement)) : readClient.execute(statement),
      ),
    readBatch: (statements) =>
      guarded(() =>
        singleConnection
          ? writes.run(() => readClient.batch(statements, 'read'))
          : readClient.batch(statements, 'read'),
      ),
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
      if (writeClient !== readClient) writeClient.close();
      readClient.close();
    },
  };
}
