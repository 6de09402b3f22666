import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { Database, MaintenanceOptions, MaintenanceResult } from './database.js';
import { startDriverWorker } from './driver-worker.js';
import { zeroPagesPerTransaction, zeroUnusedSpace } from './unused-space.js';
import { unusedSpaceWorkerSource } from './unused-space-worker.js';

/**
 * The worker: its own `libsql` connection to the file, set up as the engine's writer is
 * (`secure_delete` above all: the purge's merges free pages that held forgotten text). It answers
 * each request the parent sends, in turn: one transaction of statements, the pages whose unused
 * space to zero found (no lock), a transaction zeroing some of them, the WAL emptied; then it
 * closes its connection. It runs as driver-worker.ts starts it.
 */
const workerSource = `
const db = new Database(workerData.path, {
  timeout: workerData.busyTimeoutMs,
  ...(workerData.encryptionKey === undefined ? {} : { encryptionKey: workerData.encryptionKey }),
});
db.exec('PRAGMA synchronous = ' + workerData.synchronous);
db.exec('PRAGMA secure_delete = ON');
${unusedSpaceWorkerSource}
function inTransaction(work) {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
let found = [];
let next = 0;
let changed = [];
const requests = {
  statements: ({ statements }) => inTransaction(() => {
    let changes = 0;
    for (const sql of statements) changes = db.prepare(sql).run().changes;
    return { changes };
  }),
  // Without the lock: copies what it can while writers go on, so the truncate under it has less to
  // copy. A checkpoint running elsewhere may refuse it: the truncate then copies it all, as before.
  copyWal: () => {
    try {
      db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw(true).get();
    } catch {}
    return {};
  },
  find: () => {
    found = findDirtyPages();
    next = 0;
    changed = [];
    return { left: found.length };
  },
  zero: ({ maxPages }) => inTransaction(() => {
    const pages = found.slice(next, next + maxPages);
    next += pages.length;
    let zeroed = zeroFound(pages, changed);
    // The pages that changed since they were found, in the last transaction.
    if (next >= found.length && changed.length > 0) zeroed += zeroChanged(changed.splice(0));
    return { zeroed, left: found.length - next };
  }),
  // busy = 1: a reader kept old frames in use, so the WAL was not emptied.
  checkpoint: () => ({ walEmptied: db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw(true).get()[0] === 0 }),
};
parentPort.postMessage({ ready: true });
parentPort.on('message', (request) => {
  if (request.kind === 'close') {
    // Closed before answering: once the caller has the answer, no connection of ours is open.
    db.close();
    parentPort.postMessage({ closed: true });
    parentPort.close();
    return;
  }
  let answer;
  try {
    answer = requests[request.kind](request);
  } catch (error) {
    answer = { error: String((error && error.message) || error) };
  }
  parentPort.postMessage(answer);
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

/** What the worker answers a request, or its error. */
type Answer = Partial<{
  changes: number;
  left: number;
  zeroed: number;
  walEmptied: boolean;
  error: string;
}>;

function unavailable(options: MaintenanceWorkerOptions, error: unknown): null {
  options.logger?.warn(
    `episodic: no maintenance worker (${(error as Error)?.message ?? String(error)}); it runs on this thread`,
  );
  return null;
}

/** FTS5's merge of every segment of `table` into one: a deleted row's terms go only then. */
const optimize = (table: string) => `INSERT INTO ${table} (${table}) VALUES ('optimize')`;

/**
 * Runs the maintenance `statements` in one transaction on a connection of its own in a worker
 * thread started for it; then, with `zeroUnusedSpace`, finds the b-tree pages whose unused space
 * holds something (outside the write lock) and zeroes it in transactions of at most
 * `zeroPagesPerTransaction` pages (`unused-space-worker.ts`); then, with `truncateWal`, empties the
 * WAL. Each transaction and the checkpoint hold the store's write lock (`underLock`), the rest
 * not: this thread's writes wait for those parts only. The native driver is synchronous: run on the
 * serving thread, the purge's index merges held it for seconds in a large store (1.5 s at 17,000
 * episodes, every request waiting). The thread starts before `underLock` is first called, so the
 * lock is not held while a thread and a connection start.
 *
 * Resolves to `null`, having run nothing, when no worker could start (the caller runs the work
 * itself). Rejects with the driver's message when a statement failed (its transaction rolled back),
 * or when the worker ended while it held the work; the caller turns either into its own error.
 */
export async function maintainInWorker(
  options: MaintenanceWorkerOptions,
  statements: readonly string[],
  { truncateWal, zeroUnusedSpace = false, mergeFts = [] }: MaintenanceOptions,
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
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (answer: Answer) => next?.resolve(answer));
  worker.on('error', end);
  worker.on('exit', () => end(new Error('the maintenance worker ended before answering')));
  const answer = () =>
    new Promise<Answer>((resolve, reject) => {
      if (ended !== null) reject(ended);
      else next = { resolve, reject };
    });
  const ask = async (request: Record<string, unknown>): Promise<Answer> => {
    const answered = answer();
    worker.postMessage(request);
    const result = await answered;
    if (result.error !== undefined) throw new Error(result.error);
    return result;
  };
  let heldMs = 0;
  const askLocked = (request: Record<string, unknown>) =>
    underLock(async () => {
      const began = performance.now();
      try {
        return await ask(request);
      } finally {
        heldMs += performance.now() - began;
      }
    });
  try {
    try {
      await answer();
    } catch (error) {
      return unavailable(options, error);
    }
    const { changes = 0 } =
      statements.length === 0 ? {} : await askLocked({ kind: 'statements', statements });
    for (const table of mergeFts) await askLocked({ kind: 'statements', statements: [optimize(table)] });
    let zeroedPages = 0;
    if (zeroUnusedSpace) {
      let { left = 0 } = await ask({ kind: 'find' });
      while (left > 0) {
        const zeroed = await askLocked({ kind: 'zero', maxPages: zeroPagesPerTransaction });
        zeroedPages += zeroed.zeroed ?? 0;
        left = zeroed.left ?? 0;
      }
    }
    if (truncateWal) await ask({ kind: 'copyWal' });
    const walEmptied = truncateWal ? (await askLocked({ kind: 'checkpoint' })).walEmptied === true : true;
    return { walEmptied, changes, zeroedPages, heldMs };
  } finally {
    // Closed before it ends, after a failed request too: a thread stopped with its connection
    // open leaves the file's descriptors to the process until it exits.
    if (ended === null) {
      const closed = await ask({ kind: 'close' }).then(
        () => true,
        () => false,
      );
      await (closed ? exited : worker.terminate());
    }
    next = null;
  }
}

/**
 * The same work on the store's own connections, on this thread: for an in-memory database
 * (no other connection can open it), a remote one, or when no worker could start.
 */
export async function maintainInline(
  db: Pick<Database, 'location' | 'write' | 'executeOutsideTransaction'>,
  statements: readonly string[],
  { truncateWal, zeroUnusedSpace: zero = false, mergeFts = [] }: MaintenanceOptions,
): Promise<MaintenanceResult> {
  const began = performance.now();
  const changes = await db.write(async (tx) => {
    let changed = 0;
    for (const sql of statements) changed = (await tx.execute(sql)).rowsAffected;
    return changed;
  });
  for (const table of mergeFts) await db.write((tx) => tx.execute(optimize(table)));
  const zeroedPages = !zero
    ? 0
    : await zeroUnusedSpace((transaction) =>
        db.write(async (tx) => {
          let rows: unknown[][] = [];
          for (const sql of transaction) rows = (await tx.execute(sql)).rows.map((row) => Array.from(row));
          return rows;
        }),
      );
  const heldMs = () => performance.now() - began;
  if (!truncateWal || db.location.kind !== 'file')
    return { walEmptied: true, changes, zeroedPages, heldMs: heldMs() };
  const result = await db.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)');
  return { walEmptied: Number(result.rows[0]?.[0] ?? 0) === 0, changes, zeroedPages, heldMs: heldMs() };
}
