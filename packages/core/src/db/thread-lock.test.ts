import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { openDatabase } from './database.js';
import { shareWriteLocks } from './mutex.js';

const folders: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) folder.cleanup();
});

/** Runs the fixture from source: a worker thread loads TypeScript only through tsx. */
function holdWriteInThread(workerData: unknown): Worker {
  const entry = new URL('../__fixtures__/hold-write-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`,
    { eval: true, workerData },
  );
}

/** A new database file with one table `t`, removed after the test. */
async function storeWithTable() {
  const folder = tempStoreFolder();
  folders.push(folder);
  const url = `file:${folder.path}`;
  const db = await openDatabase({ url, busyTimeoutMs: 10_000, synchronous: 'normal' });
  await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)'));
  return { url, db };
}

describe('write lock shared with a worker thread', () => {
  it('lets a write wait for a worker thread’s transaction without blocking the event loop', async () => {
    const { url, db } = await storeWithTable();
    const holdMs = 1_500;
    const thread = holdWriteInThread({ url, holdMs, writeLocks: shareWriteLocks() });
    const holding = new Promise<void>((resolve, reject) => {
      thread.on('message', (message: string) => message === 'holding' && resolve());
      thread.once('error', reject);
    });
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    try {
      await holding;
      let last = performance.now();
      let longestGap = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 10);
      // SQLite's busy handler would sleep this thread for the whole hold instead.
      const started = performance.now();
      await db.write((tx) => tx.execute("INSERT INTO t (name) VALUES ('main')"));
      const waited = performance.now() - started;
      clearInterval(ticker);
      longestGap = Math.max(longestGap, performance.now() - last);
      await exited;
      // It waited for the thread's commit (its row comes second), with the loop running.
      expect(waited).toBeGreaterThan(holdMs / 2);
      expect(longestGap).toBeLessThan(holdMs / 2);
      const rows = await db.read('SELECT name FROM t ORDER BY id');
      expect(rows.rows.map((row) => row.name)).toEqual(['thread', 'main']);
    } finally {
      await thread.terminate();
      await db.close();
    }
  });

  it('keeps a worker thread alive while its only work is waiting for the lock', async () => {
    const { url, db } = await storeWithTable();
    let thread: Worker | undefined;
    try {
      const exitCode = await db.write(async (tx) => {
        await tx.execute("INSERT INTO t (name) VALUES ('main')");
        // Started while this thread holds the lock: its write can only wait.
        const started = holdWriteInThread({ url, holdMs: 0, writeLocks: shareWriteLocks() });
        thread = started;
        const exited = new Promise<number>((resolve) => started.once('exit', resolve));
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return Promise.race([exited, Promise.resolve(null)]);
      });
      // A pending Atomics.waitAsync alone does not keep Node's event loop alive: without a
      // reference held while waiting, the thread ended (exit code 13) before this commit.
      expect(exitCode).toBeNull();
      expect(await new Promise((resolve) => thread?.once('exit', resolve))).toBe(0);
      const rows = await db.read('SELECT name FROM t ORDER BY id');
      expect(rows.rows.map((row) => row.name)).toEqual(['main', 'thread']);
    } finally {
      await thread?.terminate();
      await db.close();
    }
  });
});
