import { mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { type Database, type DatabaseOptions, openDatabase } from './database.js';
import { locateDatabase } from './database-location.js';
import { maintainInWorker } from './maintenance-worker.js';
import { openNativeDatabase } from './native-database.js';

const folders: { cleanup: () => void }[] = [];
const open: Database[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  for (const folder of folders.splice(0)) folder.cleanup();
});

/**
 * A database with a table `t` of two rows. `unguarded`: the native connection itself, without
 * the check that refuses writes once its file was moved away (lost-file.ts), for a test that
 * moves it to keep a new connection from opening.
 */
async function scratch(options: Partial<DatabaseOptions> = {}, unguarded = false) {
  const folder = tempStoreFolder();
  folders.push(folder);
  const url = options.url ?? folder.url;
  const settings = { busyTimeoutMs: 5_000, synchronous: 'normal' as const, ...options, url };
  const db = unguarded
    ? openNativeDatabase(settings, locateDatabase(url, undefined))
    : await openDatabase(settings);
  open.push(db);
  await db.write((tx) => tx.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)'));
  await db.write((tx) => tx.execute("INSERT INTO t (id, body) VALUES (1, 'one'), (2, 'two')"));
  return { folder, db };
}

const count = async (db: Database) => Number((await db.read('SELECT count(*) AS n FROM t')).rows[0]?.n);

/** Keeps a connection writing for a while: ~0.3–3 s, whatever the machine. */
const slowInsert = `INSERT INTO t (id, body)
  WITH RECURSIVE c(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM c WHERE i < 1500000)
  SELECT i, 'row ' || i FROM c`;

describe('maintainAside', () => {
  it('runs beside this thread: its timers, reads and a queued write go on while the work is under way', async () => {
    const { db } = await scratch();
    const seen: number[] = [];
    let done = false;
    let queued: Promise<unknown> | null = null;
    const ticks = setInterval(() => {
      if (done) return;
      // Reads see the snapshot before the maintenance commits; a write waits for it, not the loop.
      void count(db).then((n) => seen.push(n));
      queued ??= db.write((tx) => tx.execute("INSERT INTO t (id, body) VALUES (-1, 'queued')"));
    }, 10);
    try {
      // Run on this thread, the insert would hold it to the end: no timer would fire meanwhile.
      const began = performance.now();
      const { heldMs } = await db.maintainAside([slowInsert], { truncateWal: false });
      done = true;
      // The time under the write lock: the insert, not the thread's start.
      expect(heldMs).toBeGreaterThan(0);
      expect(heldMs).toBeLessThanOrEqual(performance.now() - began);
    } finally {
      clearInterval(ticks);
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toBe(2);
    expect(queued).not.toBeNull();
    await queued;
    expect(await count(db)).toBe(1_500_001);
    expect((await db.read('SELECT body FROM t WHERE id = -1')).rows[0]?.body).toBe('queued');
  });

  it("counts as held the time under the write lock, not the worker's start", async () => {
    const { db } = await scratch();
    // A thread and a connection take far longer to start than one row takes to write and commit.
    const began = performance.now();
    const { heldMs } = await db.maintainAside(["INSERT INTO t (id, body) VALUES (3, 'three')"], {
      truncateWal: false,
    });
    const wallMs = performance.now() - began;
    expect(heldMs).toBeGreaterThan(0);
    expect(heldMs).toBeLessThan(wallMs / 2);
    expect(await count(db)).toBe(3);
  });

  it('commits all of its statements or none, and reports a failed one as a storage error', async () => {
    const { db } = await scratch();
    await expect(
      db.maintainAside(["INSERT INTO t (id, body) VALUES (3, 'three')", 'DELETE FROM missing'], {
        truncateWal: false,
      }),
    ).rejects.toMatchObject({ code: 'STORAGE', message: expect.stringMatching(/no such table: missing/) });
    expect(await count(db)).toBe(2);
    // The store's own writer is free again.
    await db.write((tx) => tx.execute("INSERT INTO t (id, body) VALUES (3, 'three')"));
    expect(await count(db)).toBe(3);
  });

  it('empties the WAL when asked, and leaves no deleted text in the file (secure_delete on its connection)', async () => {
    const { db, folder } = await scratch();
    await db.write((tx) => tx.execute("INSERT INTO t (id, body) VALUES (3, 'forget-me-7f3a')"));
    await db.executeOutsideTransaction('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(readFileSync(folder.path).includes('forget-me-7f3a')).toBe(true);
    const result = await db.maintainAside(['DELETE FROM t WHERE id = 3'], { truncateWal: true });
    expect(result).toEqual({ walEmptied: true, changes: 1, zeroedPages: 0, heldMs: expect.any(Number) });
    expect(statSync(`${folder.path}-wal`).size).toBe(0);
    expect(readFileSync(folder.path).includes('forget-me-7f3a')).toBe(false);
    expect(await count(db)).toBe(2);
  });

  it("opens its connection with the store's key, and says so when it cannot start at all", async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    const { db, folder } = await scratch({ encryptionKey: 'aside-key', logger }, true);
    await db.maintainAside(["INSERT INTO t (id, body) VALUES (3, 'three')"], { truncateWal: true });
    expect(warnings).toEqual([]);
    expect(await count(db)).toBe(3);
    // The open connections keep the moved file; the worker's new one finds a folder in its place.
    renameSync(folder.path, `${folder.path}-moved`);
    mkdirSync(folder.path);
    await db.maintainAside(["INSERT INTO t (id, body) VALUES (4, 'four')"], { truncateWal: false });
    expect(warnings).toEqual([expect.stringMatching(/no maintenance worker .*runs on this thread/)]);
    expect(await count(db)).toBe(4);
  });

  it('runs on the one connection of an in-memory database', async () => {
    const { db } = await scratch({ url: ':memory:' });
    expect(
      await db.maintainAside(["INSERT INTO t (id, body) VALUES (3, 'three')"], { truncateWal: true }),
    ).toEqual({ walEmptied: true, changes: 1, zeroedPages: 0, heldMs: expect.any(Number) });
    expect(await count(db)).toBe(3);
  });
});

describe('merging full-text indexes (mergeFts)', () => {
  it('merges each index in a transaction of its own: a write waits for one merge, not for all', async () => {
    // One transaction for the four indexes of a 230 MB store held the writer ~0.5–1.4 s per purge.
    const { folder, db } = await scratch();
    for (const table of ['a_fts', 'b_fts']) {
      await db.write((tx) => tx.execute(`CREATE VIRTUAL TABLE ${table} USING fts5(body)`));
      // A segment per transaction; the deleted row's terms stay in them until a merge.
      for (const word of ['alpha', 'beta', 'secretword', 'gamma'])
        await db.write((tx) => tx.execute({ sql: `INSERT INTO ${table} (body) VALUES (?)`, args: [word] }));
      await db.write((tx) => tx.execute(`DELETE FROM ${table} WHERE body = 'secretword'`));
    }
    const segments = async (table: string) =>
      Number((await db.read(`SELECT count(*) AS n FROM ${table}_data WHERE id > 10`)).rows[0]?.n);
    expect(await segments('a_fts')).toBeGreaterThan(1);
    const sections: string[] = [];
    const result = await maintainInWorker(
      { path: folder.path, busyTimeoutMs: 5_000, synchronous: 'normal' },
      [],
      { mergeFts: ['a_fts', 'b_fts'], truncateWal: true },
      async (section) => {
        sections.push(`section ${sections.length + 1}`);
        return section();
      },
    );
    expect(result).toMatchObject({ walEmptied: true });
    // a_fts, b_fts, the checkpoint: three times under the lock, none for the empty statements.
    expect(sections).toHaveLength(3);
    for (const table of ['a_fts', 'b_fts']) {
      expect(await segments(table)).toBe(1);
      expect(
        (await db.read(`SELECT count(*) AS n FROM ${table} WHERE ${table} MATCH 'secretword'`)).rows[0]?.n,
      ).toBe(0);
      expect((await db.read(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n).toBe(3);
    }
  });
});
