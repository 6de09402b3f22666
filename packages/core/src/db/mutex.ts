import { ThreadLock } from './thread-lock.js';

/** Runs async sections one at a time, in call order; with a `ThreadLock`, also one at a time across threads. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #threads: ThreadLock | null;

  constructor(threads: ThreadLock | null = null) {
    this.#threads = threads;
  }

  run<T>(section: () => Promise<T>): Promise<T> {
    const threads = this.#threads;
    const result = this.#tail.then(
      threads === null
        ? section
        : async () => {
            await threads.acquire();
            try {
              return await section();
            } finally {
              threads.release();
            }
          },
    );
    // A failed section must not block the ones queued after it.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

const fileLocks = new Map<string, Mutex>();
const threadLocks = new Map<string, ThreadLock>();

/**
 * The write lock for one database file, shared by every store this process opens on it, in
 * this thread and (through `shareWriteLocks`) in worker threads. libSQL's driver is
 * synchronous: a second connection waiting on SQLite's busy timeout would block its event
 * loop, and in one thread also the loop the first connection needs to commit, so writers in
 * one process queue here instead of in SQLite.
 */
export function fileWriteLock(path: string): Mutex {
  let lock = fileLocks.get(path);
  if (lock === undefined) {
    let threads = threadLocks.get(path);
    if (threads === undefined) {
      threads = new ThreadLock();
      threadLocks.set(path, threads);
    }
    lock = new Mutex(threads);
    fileLocks.set(path, lock);
  }
  return lock;
}

/** The write locks of the files this thread opened, to hand to a worker thread (`workerData`). */
export function shareWriteLocks(): Record<string, SharedArrayBuffer> {
  return Object.fromEntries([...threadLocks].map(([path, lock]) => [path, lock.buffer]));
}

/**
 * In a worker thread, before it opens a store: takes the write locks another thread shared, so
 * that the two threads' connections queue on them rather than in SQLite's busy handler.
 */
export function joinWriteLocks(shared: Record<string, SharedArrayBuffer>): void {
  for (const [path, buffer] of Object.entries(shared))
    if (!fileLocks.has(path)) threadLocks.set(path, new ThreadLock(buffer));
}

/** Frees the write locks a thread that ended was holding. */
export function releaseWriteLocksOf(threadId: number): void {
  for (const lock of threadLocks.values()) lock.releaseHeldBy(threadId);
}
