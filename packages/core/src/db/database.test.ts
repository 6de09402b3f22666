import { copyFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { setImmediate, setTimeout } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import Libsql from 'libsql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';
import { openMemory } from '../open-memory.js';
import { type Database, type DatabaseOptions, type LocalDriver, openDatabase } from './database.js';
import { startDriverWorker } from './driver-worker.js';
import { letEventLoopRunEvery } from './storage-errors.js';

const folders: { cleanup: () => void }[] = [];
const open: Database[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  for (const folder of folders.splice(0)) folder.cleanup();
});

function scratchPath(): string {
  const folder = tempStoreFolder();
  folders.push(folder);
  return folder.path;
}

// The contract holds on both drivers that can serve a local URL; remote ones run in remote.test.ts.
describe.each<LocalDriver>(['native', 'client'])('Database on the %s driver', (localDriver) => {
  async function openScratch(options: Partial<DatabaseOptions> = {}): Promise<Database> {
    const db = await openDatabase({
      url: `file:${scratchPath()}`,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      localDriver,
      ...options,
    });
    open.push(db);
    await db.write((tx) =>
      tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)'),
    );
    return db;
  }

  it('stores and returns each kind of value, by column name and by index', async () => {
    const db = await openScratch();
    const inserted = await db.write((tx) =>
      tx.execute({
        sql: 'INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?)',
        args: [7, 'seven', 0.5, new Uint8Array([1, 2, 3])],
      }),
    );
    expect(inserted.rowsAffected).toBe(1);
    await db.write((tx) =>
      tx.execute({ sql: 'INSERT INTO t (id, score) VALUES (:id, $score)', args: { ':id': 8, $score: true } }),
    );

    const result = await db.read('SELECT id, name, score, data FROM t ORDER BY id');
    expect(result.columns).toEqual(['id', 'name', 'score', 'data']);
    const [first, second] = result.rows;
    expect({ ...first, data: undefined }).toEqual({ id: 7, name: 'seven', score: 0.5, data: undefined });
    expect(first?.length).toBe(4);
    expect([first?.[0], first?.[1], first?.[2]]).toEqual([7, 'seven', 0.5]);
    expect(new Uint8Array(first?.data as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    // A boolean is stored as 1, as @libsql/client stores it.
    expect(second?.score).toBe(1);
    expect(second?.name).toBeNull();
  });

  // The contract on both drivers; a fresh native store answers these inline while its read worker
  // starts, so what the worker itself answers is checked in read-worker.test.ts.
  it('reads aside what a read returns, and fails as a read fails', async () => {
    const db = await openScratch();
    await db.write((tx) =>
      tx.execute({
        sql: 'INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?), (?, NULL, NULL, NULL)',
        args: [7, 'seven', 0.5, new Uint8Array([1, 2, 3]), 8],
      }),
    );
    const sql = { sql: 'SELECT id, name, score, data FROM t WHERE id >= ? ORDER BY id', args: [7] };
    const [read, aside] = [await db.read(sql), await db.readAside(sql)];
    expect(aside.columns).toEqual(read.columns);
    expect(aside.rows.map((row) => Array.from(row))).toEqual(read.rows.map((row) => Array.from(row)));
    expect(new Uint8Array(aside.rows[0]?.data as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(aside.rows[1]?.name).toBeNull();
    await expect(db.readAside('SELECT * FROM missing')).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/no such table: missing/),
    });
  });

  it('refuses undefined as an argument instead of storing NULL', async () => {
    const db = await openScratch();
    const write = db.write((tx) =>
      tx.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [1, undefined as unknown as null] }),
    );
    await expect(write).rejects.toThrow(EpisodicError);
    expect((await db.read('SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(0);
  });

  it('rolls back the whole transaction when a section fails', async () => {
    const db = await openScratch();
    const failing = db.write(async (tx) => {
      await tx.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [1, 'kept?'] });
      await tx.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [1, 'duplicate'] });
    });
    await expect(failing).rejects.toMatchObject({ code: 'STORAGE' });
    expect((await db.read('SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(0);
    // The connection is usable afterwards.
    await db.write((tx) => tx.execute({ sql: 'INSERT INTO t (id) VALUES (?)', args: [2] }));
    expect((await db.read('SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(1);
  });

  it('reads beside an open write transaction, seeing only what was committed', async () => {
    const db = await openScratch();
    let seenDuringWrite: unknown;
    await db.write(async (tx) => {
      await tx.execute({ sql: 'INSERT INTO t (id) VALUES (?)', args: [1] });
      seenDuringWrite = (await db.read('SELECT count(*) AS n FROM t')).rows[0]?.n;
    });
    expect(seenDuringWrite).toBe(0);
    const [count, ids] = await db.readBatch(['SELECT count(*) AS n FROM t', 'SELECT id FROM t']);
    expect(count?.rows[0]?.n).toBe(1);
    expect(ids?.rows.map((row) => row.id)).toEqual([1]);
  });

  it('queues reads behind writes on an in-memory database, whose one connection is the data', async () => {
    const db = await openDatabase({
      url: ':memory:',
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      localDriver,
    });
    open.push(db);
    await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writing = db.write(async (tx) => {
      await tx.execute('INSERT INTO t (id) VALUES (1)');
      await released;
    });
    const reading = db.read('SELECT count(*) AS n FROM t');
    release();
    await writing;
    expect((await reading).rows[0]?.n).toBe(1);
  });

  it('keeps working past the number of statements it keeps prepared', async () => {
    const db = await openScratch();
    await db.write(async (tx) => {
      for (let id = 0; id < 600; id += 1)
        await tx.execute({ sql: `INSERT INTO t (id, name) VALUES (${id}, ?)`, args: [`n${id}`] });
    });
    for (const id of [0, 599, 300, 0]) {
      const row = (await db.read({ sql: `SELECT name FROM t WHERE id = ${id} AND ? = 1`, args: [1] }))
        .rows[0];
      expect(row?.name).toBe(`n${id}`);
    }
  });

  // @libsql/client names the columns from before the change on a connection that had not seen it
  // yet (it reads them before SQLite notices the new schema); only the native driver is held to this.
  it.skipIf(localDriver === 'client')(
    'names the columns of a kept SELECT * again after the table changes',
    async () => {
      const db = await openScratch();
      await db.write((tx) => tx.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [1, 'one'] }));
      expect((await db.read('SELECT * FROM t')).columns).toEqual(['id', 'name', 'score', 'data']);
      await db.write((tx) => tx.execute("ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'added'"));
      const after = await db.read('SELECT * FROM t');
      expect(after.columns).toEqual(['id', 'name', 'score', 'data', 'extra']);
      expect(after.rows[0]?.extra).toBe('added');
    },
  );

  it('waits out another connection holding the write lock, then writes once it lets go', async () => {
    const path = scratchPath();
    const db = await openDatabase({
      url: `file:${path}`,
      busyTimeoutMs: 200,
      synchronous: 'normal',
      localDriver,
    });
    open.push(db);
    await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
    const other = new Libsql(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      await expect(db.write((tx) => tx.execute('INSERT INTO t (id) VALUES (1)'))).rejects.toMatchObject({
        code: 'BUSY',
        message: expect.stringMatching(/^The database is busy: .*locked.*try again\.$/is),
      });
      other.exec('ROLLBACK');
      await db.write((tx) => tx.execute('INSERT INTO t (id) VALUES (2)'));
    } finally {
      other.close();
    }
    expect((await db.read('SELECT id FROM t')).rows.map((row) => row.id)).toEqual([2]);
  });

  it('refuses a write past the database’s room as FULL, stores none of it, and writes once there is room', async () => {
    const db = await openScratch();
    await db.write((tx) => tx.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [1, 'kept'] }));
    const pages = Number((await db.read('PRAGMA page_count')).rows[0]?.page_count);
    // A real SQLITE_FULL from the driver: the page limit stands in for a full disk.
    const tooBig = db.write(async (tx) => {
      await tx.execute(`PRAGMA max_page_count = ${pages + 2}`);
      await tx.execute({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [2, 'small'] });
      await tx.execute({ sql: 'INSERT INTO t (id, data) VALUES (?, ?)', args: [3, new Uint8Array(1 << 20)] });
    });
    await expect(tooBig).rejects.toMatchObject({
      code: 'FULL',
      message: expect.stringMatching(/^The disk holding the database is full .*nothing was stored\./),
      cause: expect.objectContaining({ message: expect.stringMatching(/full/i) }),
    });
    expect((await db.read('SELECT id FROM t ORDER BY id')).rows.map((row) => row.id)).toEqual([1]);
    await db.write(async (tx) => {
      await tx.execute('PRAGMA max_page_count = 1073741823');
      await tx.execute({ sql: 'INSERT INTO t (id, data) VALUES (?, ?)', args: [3, new Uint8Array(1 << 20)] });
    });
    expect((await db.read('SELECT id FROM t ORDER BY id')).rows.map((row) => row.id)).toEqual([1, 3]);
  });

  it('opens an encrypted file only with its key', async () => {
    const path = scratchPath();
    const db = await openDatabase({
      url: `file:${path}`,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      localDriver,
      encryptionKey: 'k1',
    });
    await db.write((tx) => tx.execute('CREATE TABLE secret (body TEXT)'));
    await db.close();
    await expect(
      openDatabase({ url: `file:${path}`, busyTimeoutMs: 1000, synchronous: 'normal', localDriver }),
    ).rejects.toThrow(/encryption key/);
    const reopened = await openDatabase({
      url: `file:${path}`,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      localDriver,
      encryptionKey: 'k1',
    });
    open.push(reopened);
    expect((await reopened.read("SELECT name FROM sqlite_master WHERE name = 'secret'")).rows).toHaveLength(
      1,
    );
  });

  it.each([
    ['a plain', undefined],
    ['an encrypted', 'correct horse battery staple'],
  ])(
    'leaves %s file holding every committed write once closed, its WAL emptied: a copy of the file alone is the store',
    async (_kind, encryptionKey) => {
      const path = scratchPath();
      const options = {
        busyTimeoutMs: 1000,
        synchronous: 'normal' as const,
        localDriver,
        ...(encryptionKey === undefined ? {} : { encryptionKey }),
      };
      const db = await openDatabase({ url: `file:${path}`, ...options });
      await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)'));
      for (let id = 1; id <= 50; id += 1)
        await db.write((tx) =>
          tx.execute({ sql: 'INSERT INTO t VALUES (?, ?)', args: [id, 'x'.repeat(2000)] }),
        );
      expect((await db.read('SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(50);
      await db.close();

      expect(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
      // What a user copying `memory.db` to another machine takes with them.
      const copy = `${path}.copy`;
      copyFileSync(path, copy);
      const reopened = await openDatabase({ url: `file:${copy}`, ...options });
      open.push(reopened);
      expect((await reopened.read('SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(50);
    },
  );

  it('closes at once while another connection holds the write lock, its data left for that one to copy', async () => {
    const path = scratchPath();
    const options = { busyTimeoutMs: 20_000, synchronous: 'normal' as const, localDriver };
    const db = await openDatabase({ url: `file:${path}`, ...options });
    await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
    await db.write((tx) => tx.execute('INSERT INTO t (id) VALUES (1)'));
    const other = new Libsql(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      await db.close();
      // Waiting for the lock would take the whole busy timeout (20 s).
      expect(performance.now() - started).toBeLessThan(10_000);
      other.exec('INSERT INTO t (id) VALUES (2)');
      other.exec('COMMIT');
    } finally {
      other.close();
    }
    const reopened = await openDatabase({ url: `file:${path}`, ...options });
    open.push(reopened);
    expect((await reopened.read('SELECT id FROM t ORDER BY id')).rows.map((row) => row.id)).toEqual([1, 2]);
  });

  it('runs maintenance statements outside any transaction', async () => {
    const db = await openScratch();
    await db.write((tx) => tx.execute({ sql: 'INSERT INTO t (id) VALUES (?)', args: [1] }));
    const checkpoint = (await db.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)')).rows[0];
    expect(checkpoint?.busy).toBe(0);
  });
});

describe('the native driver while another process holds the write lock', () => {
  it('waits for it without holding this thread, then writes', async () => {
    const path = scratchPath();
    const db = await openDatabase({ url: `file:${path}`, busyTimeoutMs: 5_000, synchronous: 'normal' });
    open.push(db);
    await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
    // Another thread of its own, not joined to this process's write locks: as another process is.
    const holder = startDriverWorker(
      `const db = new Database(workerData.path);
       db.exec('BEGIN IMMEDIATE');
       parentPort.postMessage('holding');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
       db.exec('ROLLBACK');
       db.close();
       parentPort.postMessage('released');`,
      { path, holdMs: 1_500 },
    );
    const messages: string[] = [];
    const said = (what: string) =>
      new Promise<void>((resolve) =>
        holder.on('message', (message: string) => {
          messages.push(message);
          if (message === what) resolve();
        }),
      );
    await said('holding');
    // The event loop's longest stall while the write waits: SQLite's busy handler slept on this
    // thread, and every request a server had stopped for as long as the other held the lock.
    let last = performance.now();
    let longest = 0;
    const ticks = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 10);
    try {
      await db.write((tx) => tx.execute('INSERT INTO t (id) VALUES (1)'));
      // A stall ends with the next tick: wait for it.
      await setTimeout(50);
    } finally {
      clearInterval(ticks);
    }
    expect(longest).toBeLessThan(700);
    // Heard while the write waited: the thread was free.
    expect(messages).toEqual(['holding', 'released']);
    expect((await db.read('SELECT id FROM t')).rows.map((row) => row.id)).toEqual([1]);
    await holder.terminate();
  });
});

describe('the native driver’s page cache', () => {
  it('gives both connections the configured memory for pages, and SQLite’s 2 MiB without one', async () => {
    const cacheOf = async (pageCacheMiB?: number) => {
      const db = await openDatabase({
        url: `file:${scratchPath()}`,
        busyTimeoutMs: 1000,
        synchronous: 'normal',
        pageCacheMiB,
      });
      open.push(db);
      // The reader answers `read`; the writer answers inside a write section.
      const read = (await db.read('PRAGMA cache_size')).rows[0]?.[0];
      const written = await db.write(async (tx) => (await tx.execute('PRAGMA cache_size')).rows[0]?.[0]);
      return [read, written];
    };
    // Negative: KiB, whatever the page size.
    expect(await cacheOf(64)).toEqual([-65_536, -65_536]);
    expect(await cacheOf()).toEqual([-2000, -2000]);
  });

  it('reaches the store from openMemory (16 MiB unless set), and refuses a size that is not a whole number of MiB from 1 to 4096', async () => {
    const memory = await openMemory({ url: `file:${scratchPath()}`, cache: false, pageCacheMiB: 32 });
    expect(memory.config.pageCacheMiB).toBe(32);
    await memory.close();
    const byDefault = await openMemory({ url: `file:${scratchPath()}`, cache: false });
    expect(byDefault.config.pageCacheMiB).toBe(16);
    await byDefault.close();
    for (const pageCacheMiB of [0, 1.5, 5000])
      await expect(openMemory({ url: `file:${scratchPath()}`, pageCacheMiB })).rejects.toThrow(
        /pageCacheMiB/,
      );
  });
});

describe('reads aside on the native driver', () => {
  it('sends every read to the worker at once, never after a turn of the event loop, and fails as a read fails', async () => {
    const db = await openDatabase({
      url: `file:${scratchPath()}`,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
    });
    open.push(db);
    // A temporary table exists only on the connection that made it (the reader): a read aside
    // that no longer sees it was answered by the worker, so the worker is up.
    await db.executeOutsideTransaction('CREATE TEMP TABLE only_here (x)');
    const tempTables = "SELECT count(*) AS n FROM sqlite_temp_master WHERE name = 'only_here'";
    while ((await db.readAside(tempTables)).rows[0]?.n !== 0) await setTimeout(20);

    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      for (let i = 0; i < 5; i += 1) {
        // As many operations as the guard runs with no turn of the event loop (a server's
        // concurrent requests make as many), then a read aside: it must reach the worker before
        // this thread runs anything else, not wait for a turn.
        await setImmediate();
        for (let j = 0; j < letEventLoopRunEvery; j += 1) await db.read('SELECT 1');
        const before = posted.mock.calls.length;
        const read = db.readAside(tempTables);
        expect(posted.mock.calls.length, `read ${i}`).toBe(before + 1);
        expect((await read).rows[0]?.n).toBe(0);
      }
    } finally {
      posted.mockRestore();
    }
    await expect(db.readAside('SELECT * FROM missing')).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/no such table: missing/),
    });
    // Refused as a read refuses it: a rejected promise, never a throw from the call itself.
    await expect(db.readAside({ sql: 'SELECT ?', args: [undefined as unknown as null] })).rejects.toThrow(
      EpisodicError,
    );
  });
});

describe('a remote database that does not answer', () => {
  it('is refused at open naming its url and why the connection failed', async () => {
    // A port nothing listens on: bound once, then closed.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    const error = await openMemory({ url, cache: false }).catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error) && [error.code, error.message]).toEqual([
      'STORAGE',
      `Cannot open the database at ${url}: fetch failed (connect ECONNREFUSED 127.0.0.1:${port}).`,
    ]);
  });
});
