import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { Database, MaintenanceResult } from './database.js';
import { startDriverWorker } from './driver-worker.js';

/**
 * The worker: its own `libsql` connection to the file, set up as the engine's writer is
 * (`secure_delete` above all: the purge's merges free pages that held forgotten text), one
 * transaction of the statements it is sent, then the WAL emptied if asked, then it closes.
 * It runs as driver-worker.ts starts it.
 */
const workerSource = `
const db = new Database(workerData.path, {
  timeout: workerData.busyTimeoutMs,
  ...(workerData.encryptionKey === undefined ? {} : { encryptionKey: workerData.encryptionKey }),
});
db.exec('PRAGMA synchronous = ' + workerData.synchronous);
db.exec('PRAGMA secure_delete = ON');
parentPort.postMessage({ ready: true });
parentPort.once('message', ({ statements, truncateWal }) => {
  let answer;
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      let changes = 0;
      let rows = [];
      for (const sql of statements) {
        const statement = db.prepare(sql);
        if (statement.reader) rows = statement.raw(true).all();
        else changes = statement.run().changes;
      }
      db.exec('COMMIT');
      answer = { changes, rows };
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    // busy = 1: a reader kept old frames in use, so the WAL was not emptied.
    const walEmptied = !truncateWal || db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw(true).get()[0] === 0;
    answer = { ...answer, walEmptied };
  } catch (error) {
    answer = { error: String((error && error.message) || error) };
  } finally {
    // Closed before answering: once the caller has the answer, no connection of ours is open.
    db.close();
  }
  parentPort.postMessage(answer);
  parentPort.close();
});
`;

export interface MaintenanceWorkerOptions {
  /** The database file. */
  path: string;
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
  encryptionKey?: string | undefined;
  /** Told when no worker could start and the work runs on the caller's thread instead. */
  logger?: Logger | undefined;
}

type Answer =
  | { ready: true }
  | { walEmptied: boolean; changes: number; rows: unknown[][] }
  | { error: string };

function unavailable(options: MaintenanceWorkerOptions, error: unknown): null {
  options.logger?.warn(
    `episodic: no maintenance worker (${(error as Error)?.message ?? String(error)}); it runs on this thread`,
  );
  return null;
}

/**
 * Runs one maintenance transaction (`statements`, then the WAL emptied when `truncateWal`) on a
 * connection of its own in a worker thread started for it. The native driver is synchronous: run
 * on the serving thread, the purge's index merges held it for seconds in a large store (1.5 s at
 * 17,000 episodes, every request waiting). The thread starts before `underLock` is called, so the
 * write lock is held only while the work runs, not while a thread and a connection start.
 *
 * Resolves to `null`, having run nothing, when no worker could start (the caller runs the work
 * itself). Rejects with the driver's message when a statement failed (its transaction rolled back),
 * or when the worker ended while it held the work; the caller turns either into its own error.
 */
export async function maintainInWorker(
  options: MaintenanceWorkerOptions,
  statements: readonly string[],
  truncateWal: boolean,
  underLock: <T>(section: () => Promise<T>) => Promise<T>,
): Promise<MaintenanceResult | null> {
  let worker: Worker;
  try {
    worker = startDriverWorker(workerSource, {
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs,
      synchronous: options.synchronous === 'full' ? 'FULL' : 'NORMAL',
      encryptionKey: options.encryptionKey,
    });
  } catch (error) {
    // No worker threads, or a bundle without the driver.
    return unavailable(options, error);
  }
  let next: { resolve: (answer: Answer) => void; reject: (error: Error) => void } | null = null;
  let ended: Error | null = null;
  const end = (error: Error) => {
    ended ??= error;
    next?.reject(ended);
  };
  let answered = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (answer: Answer) => {
    if (!('ready' in answer)) answered = true;
    next?.resolve(answer);
  });
  worker.on('error', end);
  worker.on('exit', () => end(new Error('the maintenance worker ended before answering')));
  const answer = () =>
    new Promise<Answer>((resolve, reject) => {
      if (ended !== null) reject(ended);
      else next = { resolve, reject };
    });
  try {
    try {
      await answer();
    } catch (error) {
      return unavailable(options, error);
    }
    let heldMs = 0;
    const result = await underLock(async () => {
      const began = performance.now();
      const done = answer();
      worker.postMessage({ statements, truncateWal });
      try {
        return await done;
      } finally {
        heldMs = performance.now() - began;
      }
    });
    if ('error' in result) throw new Error(result.error);
    if (!('walEmptied' in result)) throw new Error('the maintenance worker answered out of turn');
    return { walEmptied: result.walEmptied, changes: result.changes, rows: result.rows, heldMs };
  } finally {
    next = null;
    // One that answered has closed its connection and ends by itself; one that did not is stopped.
    if (ended === null) await (answered ? exited : worker.terminate());
  }
}

/**
 * The same work on the store's own connections, on this thread: for an in-memory database
 * (no other connection can open it), a remote one, or when no worker could start.
 */
export async function maintainInline(
  db: Pick<Database, 'location' | 'write' | 'executeOutsideTransaction'>,
  statements: readonly string[],
  truncateWal: boolean,
): Promise<MaintenanceResult> {
  const began = performance.now();
  const { changes, rows } = await db.write(async (tx) => {
    let last = { changes: 0, rows: [] as unknown[][] };
    for (const sql of statements) {
      const result = await tx.execute(sql);
      last = { changes: result.rowsAffected, rows: result.rows.map((row) => Array.from(row)) };
    }
    return last;
  });
  if (!truncateWal || db.location.kind !== 'file')
    return { walEmptied: true, changes, rows, heldMs: performance.now() - began };
  const result = await db.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)');
  return {
    walEmptied: Number(result.rows[0]?.[0] ?? 0) === 0,
    changes,
    rows,
    heldMs: performance.now() - began,
  };
}
