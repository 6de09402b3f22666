import type { Worker } from 'node:worker_threads';
import type { InStatement, ResultSet } from '@libsql/client';
import type { Logger } from '../logger.js';
import { startDriverWorker } from './driver-worker.js';
import { toSqlArgs } from './native-connection.js';
import { createResultSet, createRowShape } from './native-result-set.js';

/**
 * The worker: its own `libsql` connection to the file, statements prepared once (at most
 * `keep` of them), each request answered with its column names and raw rows. It runs as
 * driver-worker.ts starts it.
 */
const workerSource = `
const db = new Database(workerData.path, {
  timeout: workerData.busyTimeoutMs,
  ...(workerData.encryptionKey === undefined ? {} : { encryptionKey: workerData.encryptionKey }),
});
if (workerData.pageCacheMiB !== undefined) db.exec('PRAGMA cache_size = -' + workerData.pageCacheMiB * 1024);
// The first read proves the file opens (a wrong key or a damaged file fails here, not later).
db.prepare('SELECT count(*) FROM sqlite_master').get();
const statements = new Map();
parentPort.postMessage({ ready: true });
parentPort.on('message', (message) => {
  if (message === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  const { id, sql, args } = message;
  try {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      if (!statement.reader) throw new Error('only a statement that returns rows can run aside');
      statement.raw(true);
      if (sql.length <= workerData.longestSql) statements.set(sql, statement);
      if (statements.size > workerData.keep) statements.delete(statements.keys().next().value);
    }
    const rows = statement.all(args);
    parentPort.postMessage({ id, columns: statement.columns(), rows });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

export interface ReadWorkerOptions {
  /** The database file. */
  path: string;
  busyTimeoutMs: number;
  encryptionKey?: string | undefined;
  pageCacheMiB?: number | undefined;
  logger?: Logger | undefined;
}

export interface ReadWorker {
  /**
   * Runs a read-only statement on the worker's connection once it has started; until then
   * (the first read starts it), and for good once it failed or stopped, with `fallback`.
   * Rejects with the driver's message when the statement fails.
   */
  read(statement: InStatement, fallback: (statement: InStatement) => Promise<ResultSet>): Promise<ResultSet>;
  /** Whether reads go to the worker: resolves once it answers them (true), or cannot (false). */
  started(): Promise<boolean>;
  /** Stops the worker once the reads sent to it are answered, and closes its connection. */
  stop(): Promise<void>;
}

interface Pending {
  statement: InStatement;
  fallback: (statement: InStatement) => Promise<ResultSet>;
  resolve: (result: ResultSet) => void;
  reject: (error: Error) => void;
}

type Answer =
  | { ready: true }
  | { id: number; error: string }
  | { id: number; columns: { name: string; type: string | null }[]; rows: unknown[][] };

/**
 * A second read connection in a worker thread. The native driver is synchronous: a statement
 * holds the main thread until it returns. A statement sent here runs while the main thread runs
 * its own (on two cores, a retrieve's step ranking and expanded query beside its whole-episode
 * ranking and vector scan). Started by the first read, which does not wait for it (a thread and
 * a connection take tens of milliseconds): reads run inline until it is up, so a store that
 * never reads aside never pays for a thread and a one-shot retrieve is not slowed. Referenced
 * only while it starts or owes an answer, so an idle one never keeps a process alive.
 */
export function createReadWorker(options: ReadWorkerOptions): ReadWorker {
  let worker: Worker | null = null;
  let state: 'idle' | 'starting' | 'ready' | 'unavailable' = 'idle';
  let settle: (ready: boolean) => void = () => {};
  const outcome = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  let nextId = 0;
  const pending = new Map<number, Pending>();

  /** Reads inline for good, handing every read the worker still owes to its fallback: none is lost. */
  function failOver(reason: string | null): void {
    if (reason !== null && state !== 'unavailable')
      options.logger?.warn(`episodic: the read worker stopped (${reason}); reads run inline`);
    state = 'unavailable';
    worker = null;
    settle(false);
    for (const { statement, fallback, resolve, reject } of pending.values())
      fallback(statement).then(resolve, reject);
    pending.clear();
  }

  function answer(running: Worker, message: Answer): void {
    if ('ready' in message) {
      if (worker !== running) return;
      state = 'ready';
      settle(true);
      // Referenced while it starts (a process may be waiting for it) and while it owes an answer.
      running.unref();
      return;
    }
    const request = pending.get(message.id);
    if (request === undefined) return;
    pending.delete(message.id);
    if (pending.size === 0) running.unref();
    if ('error' in message) request.reject(new Error(message.error));
    else request.resolve(createResultSet(createRowShape(message.columns), message.rows, 0, undefined));
  }

  function start(): void {
    const started = startDriverWorker(workerSource, {
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs,
      encryptionKey: options.encryptionKey,
      pageCacheMiB: options.pageCacheMiB,
      keep: 64,
      longestSql: 8 * 1024,
    });
    started.on('message', (message: Answer) => answer(started, message));
    let failure = 'it exited';
    started.on('error', (error) => {
      failure = error.message;
    });
    started.on('exit', () => {
      if (worker === started) failOver(failure);
    });
    worker = started;
    state = 'starting';
  }

  return {
    read(statement, fallback) {
      if (state === 'idle') {
        try {
          start();
        } catch (error) {
          failOver((error as Error).message);
        }
      }
      const running = worker;
      if (state !== 'ready' || running === null) return fallback(statement);
      const sql = typeof statement === 'string' ? statement : statement.sql;
      const args = typeof statement === 'string' ? [] : toSqlArgs(statement.args);
      const id = nextId++;
      return new Promise<ResultSet>((resolve, reject) => {
        // Referenced while it owes an answer: a process awaiting only this read must not exit first.
        if (pending.size === 0) running.ref();
        pending.set(id, { statement, fallback, resolve, reject });
        running.postMessage({ id, sql, args });
      });
    },

    started: () => outcome,

    async stop(): Promise<void> {
      const running = worker;
      worker = null;
      state = 'unavailable';
      if (running !== null) {
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        // Referenced while we wait, or a process with nothing else to do would exit before it does.
        running.ref();
        // Messages are handled in order: the reads sent before 'stop' are answered before it exits.
        running.postMessage('stop');
        await exited;
      }
      failOver(null);
    },
  };
}
