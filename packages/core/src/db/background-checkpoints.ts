import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { startDriverWorker } from './driver-worker.js';

/** The WAL size at which the worker starts: a store that writes little never pays for a thread. */
export const startAtWalBytes = 1024 * 1024;
/** How often the worker copies the WAL into the database file. */
const intervalMs = 100;
/**
 * SQLite's own checkpoint on commit stays on as a backstop, at ten times its default. Besides a
 * worker far behind (a reader pinning an old snapshot, a worker that died), it is what starts the
 * WAL over under steady writes: SQLite writes from the WAL's start again only when a write begins
 * with every frame copied, which the worker's checkpoints, run between two commits, rarely leave.
 * The commit that takes the WAL to this size copies the rest on the writing thread (core README,
 * "Checkpoints off the writing thread", for its cost and what was tried against it).
 */
const backstopPages = 10_000;
/** Commits between two looks at the WAL's size, before the worker runs. */
const checkEvery = 16;

/**
 * The worker: its own `libsql` connection to the file, a PASSIVE checkpoint every `intervalMs`. PASSIVE
 * neither waits for nor blocks the main thread's readers and writer. It runs as driver-worker.ts
 * starts it.
 */
const workerSource = `
const db = new Database(workerData.path, { encryptionKey: workerData.encryptionKey });
let failing = false;
const timer = setInterval(() => {
  try {
    db.prepare('PRAGMA wal_checkpoint(PASSIVE)').all();
    failing = false;
  } catch (error) {
    if (!failing) parentPort.postMessage({ warning: String((error && error.message) || error) });
    failing = true;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface BackgroundCheckpointOptions {
  /** The database file. */
  path: string;
  encryptionKey?: string | undefined;
  /**
   * Sets `wal_autocheckpoint` on the connection that writes, between its transactions: its own
   * checkpoint on commit becomes the backstop while the worker runs.
   */
  setAutocheckpoint(pages: number): void;
  logger?: Logger | undefined;
}

export interface BackgroundCheckpoints {
  /** Called after each commit: starts the worker once the WAL has grown. Cheap otherwise. */
  afterCommit(): void;
  /** Stops the worker after its current checkpoint and closes its connection. */
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the thread that writes. SQLite checkpoints on the commit that
 * pushes the WAL past 1,000 pages, and libSQL's driver runs it synchronously: that commit (one
 * in five or so when mining, which touches many pattern rows) took 15–20 ms instead of 4 and
 * blocked the event loop meanwhile. Once the WAL passes `startAtWalBytes`, a worker thread with
 * its own connection checkpoints instead, while the main thread goes on writing.
 *
 * Exported for code that writes a store's file outside the engine and should checkpoint as the
 * engine does (the ingest benchmark's raw-driver baseline).
 */
export function createBackgroundCheckpoints(options: BackgroundCheckpointOptions): BackgroundCheckpoints {
  let worker: Worker | null = null;
  let commits = 0;
  let stopped = false;

  function start(): void {
    worker = startDriverWorker(workerSource, {
      path: options.path,
      encryptionKey: options.encryptionKey,
      intervalMs,
    });
    worker.unref();
    worker.on('message', (message: { warning?: string }) => {
      if (message.warning !== undefined)
        options.logger?.warn(`episodic: background checkpoint failed: ${message.warning}`);
    });
    let failure = 'it exited';
    worker.on('error', (error) => {
      failure = error.message;
    });
    worker.on('exit', () => {
      if (stopped) return;
      // Not asked to stop: hand checkpoints back to SQLite for good rather than retry a thread that fails.
      stopped = true;
      worker = null;
      options.logger?.warn(
        `episodic: the checkpoint worker stopped (${failure}); SQLite checkpoints on commit again`,
      );
      options.setAutocheckpoint(1000);
    });
    options.setAutocheckpoint(backstopPages);
  }

  return {
    afterCommit(): void {
      if (worker !== null || stopped) return;
      commits += 1;
      if (commits % checkEvery !== 0) return;
      let walBytes = 0;
      try {
        walBytes = statSync(`${options.path}-wal`).size;
      } catch {
        // No WAL yet, or the folder is gone: SQLite keeps checkpointing on commit.
      }
      if (walBytes < startAtWalBytes) return;
      try {
        start();
      } catch (error) {
        // A write that committed must not fail here (no worker threads, a bundle without the driver).
        stopped = true;
        options.logger?.warn(
          `episodic: no checkpoint worker (${(error as Error).message}); SQLite checkpoints on commit`,
        );
      }
    },

    async stop(): Promise<void> {
      stopped = true;
      const running = worker;
      worker = null;
      if (running === null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      // Unreferenced so that an open store never keeps a process alive; referenced while we wait
      // for it, or a process with nothing else to do would exit before the worker does.
      running.ref();
      running.postMessage('stop');
      await exited;
    },
  };
}
