/** Runs async sections one at a time, in call order. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(section);
    // A failed section must not block the ones queued after it.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

const fileLocks = new Map<string, Mutex>();

/**
 * The write lock for one database file, shared by every store this process opens on it.
 * libSQL's driver is synchronous: a second connection waiting on SQLite's busy timeout would
 * block the event loop that the first connection needs to commit, so two writers in one
 * process must queue here instead of in SQLite.
 */
export function fileWriteLock(path: string): Mutex {
  let lock = fileLocks.get(path);
  if (lock === undefined) {
    lock = new Mutex();
    fileLocks.set(path, lock);
  }
  return lock;
}
