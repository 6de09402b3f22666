import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { openTempMemory, tempStoreFolder } from '../__fixtures__/temp-store.js';
import { allFtsTables } from '../maintenance/fts-tables.js';
import { openMemory } from '../open-memory.js';
import { maintainInWorker } from './maintenance-worker.js';
import { zeroUnusedSpaceStatements } from './unused-space.js';

/** The same sequence every run: SQLite's page layout, and so where rebalances leave copies, with it. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/**
 * Episodes of varied length, several open at once and completed out of order, as concurrent
 * agents' are: completing one grows its row, its page overflows, and SQLite rebalances the page
 * with its neighbours, leaving old copies of the rows it moved in the pages' unused space.
 */
async function recordInterleaved(memory: Awaited<ReturnType<typeof openTempMemory>>['memory']) {
  const random = seeded(7);
  const episodes: { id: string; secret: string }[] = [];
  const open: string[] = [];
  for (let i = 0; i < 2_000; i += 1) {
    const secret = `SECRET${i}QZ`;
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: `${secret} ${'c'.repeat(Math.floor(random() * 300))}`,
    });
    episodes.push({ id: episode.id, secret });
    open.push(episode.id);
    if (open.length > 8) {
      const [done] = open.splice(Math.floor(random() * open.length), 1);
      await memory.episodes.complete(done!, { status: 'completed' });
    }
  }
  return { episodes, random };
}

describe('the purge zeroes the unused space of the database pages', () => {
  it.each([
    { localDriver: 'native' as const, how: 'a worker thread, the pages found outside the write lock' },
    { localDriver: 'client' as const, how: "the store's own connection, in SQL" },
  ])(
    'leaves no copy of a forgotten row that a page rebalance moved before the forget ($localDriver driver: $how)',
    async ({ localDriver }) => {
      await using store = await openTempMemory({ cache: false, localDriver });
      const { episodes, random } = await recordInterleaved(store.memory);
      const gone = episodes.filter(() => random() < 0.2);
      const report = await store.memory.admin.forget(
        { episodeIds: gone.map((episode) => episode.id) },
        { purge: 'wait' },
      );
      expect(report.purge).toBe('done');
      const file = readFileSync(join(store.dir, 'memory.db'));
      // `secure_delete` alone left 4 of them there, in the unused space of `episodes` leaf pages.
      expect(gone.filter((episode) => file.includes(`${episode.secret} `)).map((e) => e.secret)).toEqual([]);
      expect(file.includes(`${episodes.find((e) => !gone.includes(e))!.secret} `)).toBe(true);
    },
    180_000,
  );

  it('changes no row, and leaves every index consistent, also on an encrypted store', async () => {
    const encryptionKey = 'a key of sixteen characters or more';
    await using store = await openTempMemory({ cache: false, encryptionKey });
    const { episodes } = await recordInterleaved(store.memory);
    await store.memory.admin.forget({ episodeIds: episodes.slice(0, 50).map((episode) => episode.id) });
    const raw = createClient({ url: store.url, encryptionKey });
    try {
      const rows = async () =>
        JSON.stringify(
          (await raw.execute('SELECT * FROM episodes ORDER BY id')).rows.concat(
            (await raw.execute('SELECT * FROM episodes_fts ORDER BY rowid')).rows,
          ),
        );
      const before = await rows();
      /** One transaction of the SQL form; `keep: false` rolls it back (to count what it would do). */
      const scrub = async (maxPages: number, afterPage?: number, keep = true) => {
        const tx = await raw.transaction('write');
        try {
          const row = (await tx.batch(zeroUnusedSpaceStatements(maxPages, afterPage))).at(-1)?.rows[0];
          return { pages: Number(row?.[0]), lastPage: row?.[1] == null ? null : Number(row[1]) };
        } finally {
          await (keep ? tx.commit() : tx.rollback());
        }
      };
      const all = await scrub(1_000_000, 0, false);
      const tenth = await scrub(10, 0, false);
      expect(all.pages).toBeGreaterThan(20);
      expect(tenth).toEqual({ pages: 10, lastPage: expect.any(Number) });
      // After a page: every page past it, and none before it (a transaction that went on from
      // there after the first ten, zeroed by one before it).
      expect(await scrub(1_000_000, tenth.lastPage ?? 0)).toEqual({
        pages: all.pages - 10,
        lastPage: all.lastPage,
      });
      expect(await scrub(1_000_000)).toEqual({ pages: 10, lastPage: tenth.lastPage });
      expect(await scrub(1_000_000)).toEqual({ pages: 0, lastPage: null });
      expect(await rows()).toBe(before);
      expect((await raw.execute('PRAGMA integrity_check')).rows[0]?.[0]).toBe('ok');
      for (const table of allFtsTables)
        await raw.execute(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`);
    } finally {
      raw.close();
    }
  }, 180_000);

  it('checks again, under the lock, the pages another writer changed after they were found', async () => {
    const folder = tempStoreFolder();
    try {
      const memory = await openMemory({ url: folder.url, cache: false });
      const { episodes, random } = await recordInterleaved(memory);
      await memory.close();
      const gone = episodes.filter(() => random() < 0.2);
      const kept = episodes.filter((episode) => !gone.includes(episode));
      // Deleted as a forget's transaction does (secure_delete on), its purge not yet run.
      const raw = createClient({ url: folder.url });
      try {
        await raw.execute('PRAGMA secure_delete = ON');
        await raw.execute({
          sql: 'DELETE FROM episodes WHERE id IN (SELECT value FROM json_each(?))',
          args: [JSON.stringify(gone.map((episode) => episode.id))],
        });
        let locks = 0;
        const result = await maintainInWorker(
          { path: folder.path, busyTimeoutMs: 5_000, synchronous: 'normal' },
          allFtsTables.map((table) => `INSERT INTO ${table} (${table}) VALUES ('optimize')`),
          { truncateWal: true, zeroUnusedSpace: true },
          async (section) => {
            // Between finding the pages and zeroing them: a writer grows a third of the rows left,
            // rewriting many of the pages found (cells moved, freed, pages split).
            if (++locks === 2)
              await raw.execute("UPDATE episodes SET context = context || ' grown' WHERE rowid % 3 = 0");
            return section();
          },
        );
        expect(result?.zeroedPages).toBeGreaterThan(0);
        expect(locks).toBeGreaterThan(2);
        const file = readFileSync(folder.path);
        expect(gone.filter((episode) => file.includes(`${episode.secret} `)).map((e) => e.secret)).toEqual(
          [],
        );
        expect(kept.every((episode) => file.includes(episode.secret))).toBe(true);
        expect((await raw.execute('PRAGMA integrity_check')).rows[0]?.[0]).toBe('ok');
        for (const table of allFtsTables)
          await raw.execute(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`);
        const grown = await raw.execute("SELECT count(*) FROM episodes WHERE context LIKE '% grown'");
        expect(Number(grown.rows[0]?.[0])).toBeGreaterThan(kept.length / 4);
      } finally {
        raw.close();
      }
    } finally {
      folder.cleanup();
    }
  }, 180_000);
});
