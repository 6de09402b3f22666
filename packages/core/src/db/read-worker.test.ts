import { execFile } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { type Database, type DatabaseOptions, openDatabase } from './database.js';
import { createReadWorker, type ReadWorker, type ReadWorkerOptions } from './read-worker.js';

const folders: { cleanup: () => void }[] = [];
const open: Database[] = [];
const workers: ReadWorker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  for (const db of open.splice(0)) await db.close();
  for (const folder of folders.splice(0)) folder.cleanup();
});

/** A store file with a table, its `Database` (the reads' fallback), and a read worker on it. */
async function scratch(options: Partial<DatabaseOptions> = {}, worker: Partial<ReadWorkerOptions> = {}) {
  const folder = tempStoreFolder();
  folders.push(folder);
  const db = await openDatabase({ url: folder.url, busyTimeoutMs: 5_000, synchronous: 'normal', ...options });
  open.push(db);
  await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)'));
  await db.write((tx) => tx.execute("INSERT INTO t (id, body) VALUES (1, 'one'), (2, 'two')"));
  const warnings: string[] = [];
  const aside = createReadWorker({
    path: folder.path,
    busyTimeoutMs: 5_000,
    encryptionKey: options.encryptionKey,
    logger: { warn: (message) => warnings.push(message) },
    ...worker,
  });
  workers.push(aside);
  return { folder, db, aside, warnings, read: (sql: string) => aside.read(sql, db.read) };
}

/** A statement that keeps a connection busy for a while: ~0.1–1 s of counting, whatever the machine. */
const slowCount = `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000000)
  SELECT count(*) AS n FROM c`;

describe('the read worker', () => {
  it('reads inline while it starts, then on its own connection', async () => {
    // The worker's connection has 16 MiB for pages, the fallback's SQLite's 2 MiB (-2000 KiB).
    const { aside, read } = await scratch({}, { pageCacheMiB: 16 });
    expect((await read('PRAGMA cache_size')).rows[0]?.[0]).toBe(-2000);
    expect(await aside.started()).toBe(true);
    expect((await read('PRAGMA cache_size')).rows[0]?.[0]).toBe(-16_384);
    expect((await read('SELECT body FROM t ORDER BY id')).rows.map((row) => row.body)).toEqual([
      'one',
      'two',
    ]);
  });

  it('answers with the values, columns and arguments a read on the main thread gives', async () => {
    const { aside, db } = await scratch();
    await db.write((tx) =>
      tx.execute('CREATE TABLE v (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)'),
    );
    await db.write((tx) =>
      tx.execute({
        sql: 'INSERT INTO v VALUES (?, ?, ?, ?), (8, NULL, NULL, NULL)',
        args: [7, 'seven', 0.5, new Uint8Array([1, 2, 3])],
      }),
    );
    await aside.read('SELECT 1', db.read);
    expect(await aside.started()).toBe(true);
    const statement = {
      sql: 'SELECT id, name, score, data FROM v WHERE id >= :low ORDER BY id',
      args: { ':low': 7 },
    };
    const [inline, answered] = [await db.read(statement), await aside.read(statement, db.read)];
    expect(answered.columns).toEqual(['id', 'name', 'score', 'data']);
    expect(answered.rows.map((row) => Array.from(row))).toEqual(inline.rows.map((row) => Array.from(row)));
    expect(new Uint8Array(answered.rows[0]?.data as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(answered.rows[1]?.name).toBeNull();
  });

  it('runs a long read on its own thread while this one goes on reading', async () => {
    const { aside, db, read } = await scratch();
    await read('SELECT 1');
    expect(await aside.started()).toBe(true);
    const finished: string[] = [];
    const slow = read(slowCount).then((result) => {
      finished.push('aside');
      return result.rows[0]?.n;
    });
    // Without a thread of its own the slow count would hold this one until it ended.
    expect((await db.read('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    finished.push('read');
    expect(await slow).toBe(3_000_000);
    expect(finished).toEqual(['read', 'aside']);
  });

  it('answers the reads sent before it stops', async () => {
    const { aside, read } = await scratch();
    await read('SELECT 1');
    expect(await aside.started()).toBe(true);
    const pending = read(slowCount);
    await aside.stop();
    expect((await pending).rows[0]?.n).toBe(3_000_000);
    // Stopped for good: later reads run inline.
    expect((await read('SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(2);
  });

  it("opens its connection with the store's key, and turns a failed statement into the driver's error", async () => {
    const { aside, read, warnings } = await scratch({ encryptionKey: 'aside-key' });
    await read('SELECT 1');
    expect(await aside.started()).toBe(true);
    expect((await read('SELECT body FROM t WHERE id = 2')).rows[0]?.body).toBe('two');
    await expect(read('SELECT * FROM missing')).rejects.toThrow(/no such table: missing/);
    expect(warnings).toEqual([]);
  });

  it('reads inline for good, losing no read, when it cannot open the file', async () => {
    const { folder, aside, read, warnings } = await scratch();
    // The open connections keep the moved file; a new one (the worker's) finds a folder in its place.
    renameSync(folder.path, `${folder.path}-moved`);
    mkdirSync(folder.path);
    const reads = [read('SELECT count(*) AS n FROM t'), read('SELECT max(id) AS n FROM t')];
    expect(await aside.started()).toBe(false);
    reads.push(read('SELECT min(id) AS n FROM t'));
    expect((await Promise.all(reads)).map((result) => result.rows[0]?.n)).toEqual([2, 2, 1]);
    expect(warnings).toEqual([expect.stringMatching(/read worker stopped .*reads run inline/)]);
  });

  it('keeps a process alive only while it owes an answer', async () => {
    const { folder } = await scratch();
    const script = fileURLToPath(new URL('../__fixtures__/read-aside-then-exit.ts', import.meta.url));
    const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, folder.path], {
      cwd: packageRoot,
    });
    expect(stdout).toBe('read 1 42\n');
  });
});
