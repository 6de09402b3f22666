import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTestCache } from './__fixtures__/test-cache.js';
import { cacheKey } from './cache.js';
import { newCounters, sweepExpired } from './cache-maintenance.js';
import { cacheSettingsSchema } from './cache-options.js';
import { encodeEnvelope, envelopeExpiry, isDeflated } from './envelope.js';
import { acquireHandle, type LmdbHandle, releaseHandle } from './lmdb-handle.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.useRealTimers();
  cleanups.splice(0).forEach((cleanup) => cleanup());
});

function open(settings: Parameters<typeof openTestCache>[0] = {}) {
  const opened = openTestCache(settings);
  cleanups.push(opened.close);
  return opened;
}

/** The LMDB environment the cache opened, shared through the process's registry, to look at raw bytes. */
function rawEnvironment(dir: string): LmdbHandle {
  const root = join(dir, 'cache');
  const name = readdirSync(root).find((entry) => entry.startsWith('lmdb-v1-') && !entry.includes('.corrupt'));
  const handle = acquireHandle(join(root, name ?? 'missing'), { volatile: true, mapSizeBytes: 1 << 20 });
  if (handle === null || typeof handle === 'string') throw new Error(handle ?? 'the environment vanished');
  cleanups.unshift(() => releaseHandle(handle));
  return handle;
}

/** A store and a second one on the same cache folder (as another process's would be), closed after the test. */
function openShared(settings: Parameters<typeof openTestCache>[0] = {}) {
  const opened = open(settings);
  const other = opened.reopen();
  cleanups.push(() => other.close());
  return { ...opened, other };
}

/** The invalidation token keys in `raw` (see lost-commits.ts), in a fresh snapshot. */
function tokenKeys(raw: LmdbHandle): string[] {
  raw.db.resetReadTxn();
  return [...raw.db.getKeys({ start: 'meta:confirm:', end: 'meta:confirm;' })];
}

const episode = (id: string, steps = 20) => ({
  id,
  domain: 'web',
  steps: Array.from({ length: steps }, (_, i) => ({
    stepNumber: i + 1,
    action: `run_tests ${i}`,
    result: 'Error: expected 2 but got 3',
  })),
});

describe('LMDB cache', () => {
  it('returns what was stored under the seed keys and counts hits, misses and entries per keyspace', () => {
    const { cache } = open();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-000000000001');
    expect(cache.get(key)).toBeUndefined();
    cache.fill(key, episode('e1'), cache.generation());
    cache.fill(cacheKey.query('abc'), [{ id: 'e1' }], cache.generation());
    expect(cache.get(key)).toEqual(episode('e1'));
    expect(cache.get(key)).toEqual(episode('e1'));
    const stats = cache.stats();
    expect(stats).toMatchObject({ enabled: true, reason: null });
    expect(stats.keyspaces.episode).toMatchObject({ hits: 2, misses: 1, entries: 1, hitRate: 2 / 3 });
    expect(stats.keyspaces.query).toMatchObject({ hits: 0, misses: 0, entries: 1 });
    expect(stats.sizeBytes).toBeGreaterThan(0);
  });

  it('never returns an entry past its TTL', () => {
    const start = Date.UTC(2030, 0, 1);
    vi.setSystemTime(start);
    const { cache } = open({ ttl: { episode: 60, pattern: 30, query: 5 } });
    const episodeKey = cacheKey.episode('e1');
    const queryKey = cacheKey.query('q1');
    cache.fill(episodeKey, episode('e1'), cache.generation());
    cache.fill(queryKey, ['hit'], cache.generation());
    vi.setSystemTime(start + 4_999);
    expect(cache.get(queryKey)).toEqual(['hit']);
    vi.setSystemTime(start + 5_000);
    expect(cache.get(queryKey)).toBeUndefined();
    expect(cache.get(episodeKey)).toEqual(episode('e1'));
    vi.setSystemTime(start + 60_000);
    expect(cache.get(episodeKey)).toBeUndefined();
    expect(cache.stats().keyspaces.query).toMatchObject({ hits: 1, misses: 1 });
  });

  it('drops a fill whose database read began before a write (the read-through race)', () => {
    const { cache } = open();
    const key = cacheKey.episode('e1');
    const before = cache.generation(); // reader: stamp, then reads the old row from libSQL
    cache.invalidate([key]); // writer: commits the new row, then invalidates
    cache.fill(key, { version: 'old' }, before); // reader: fills with what it read
    expect(cache.get(key)).toBeUndefined();
    cache.fill(key, { version: 'new' }, cache.generation());
    expect(cache.get(key)).toEqual({ version: 'new' });
  });

  it('makes an invalidation by one store visible to another store on the same folder', () => {
    const first = open();
    const second = first.reopen();
    cleanups.unshift(() => second.close());
    const key = cacheKey.pattern('tool_sequence', 'p1');
    first.cache.fill(key, { usageCount: 1 }, first.cache.generation());
    expect(second.get(key)).toEqual({ usageCount: 1 });
    second.invalidate([key]);
    expect(first.cache.get(key)).toBeUndefined();
  });

  it('deflates large values and keeps small ones plain', () => {
    const { cache, dir } = open({ compressionThreshold: 8 * 1024 });
    const large = episode('large', 300);
    const small = episode('small', 2);
    cache.fill(cacheKey.episode('large'), large, cache.generation());
    cache.fill(cacheKey.episode('small'), small, cache.generation());
    const { db } = rawEnvironment(dir);
    const storedLarge = db.getBinary(cacheKey.episode('large'));
    const storedSmall = db.getBinary(cacheKey.episode('small'));
    expect(storedLarge !== undefined && isDeflated(storedLarge)).toBe(true);
    expect(storedLarge?.length).toBeLessThan(JSON.stringify(large).length / 4);
    expect(storedSmall !== undefined && isDeflated(storedSmall)).toBe(false);
    expect(cache.get(cacheKey.episode('large'))).toEqual(large);
    expect(cache.get(cacheKey.episode('small'))).toEqual(small);
  });

  it('evicts instead of failing when full: query results first, then the oldest entries', () => {
    // Entries larger than half a page (LMDB stores them on pages of their own, which a removal frees).
    const large = (id: string) => episode(id, 40);
    const limit = 256 * 1024;
    const start = Date.UTC(2030, 0, 1);
    const { cache } = open({ mapSizeBytes: limit, compressionThreshold: 1 << 20 });
    for (let i = 0; i < 10; i += 1) {
      vi.setSystemTime(start + i);
      cache.fill(cacheKey.query(`q${i}`), large(`q${i}`), cache.generation());
    }
    for (let i = 0; i < 150; i += 1) {
      vi.setSystemTime(start + 1000 + i);
      cache.fill(cacheKey.episode(`e${i}`), large(`e${i}`), cache.generation());
      expect(cache.stats().sizeBytes).toBeLessThanOrEqual(limit);
    }
    const stats = cache.stats();
    expect(stats.keyspaces.query).toMatchObject({ evictions: 10, entries: 0 });
    expect(stats.keyspaces.episode.evictions).toBeGreaterThan(0);
    expect(stats.keyspaces.episode.entries + stats.keyspaces.episode.evictions).toBe(150);
    expect(cache.get(cacheKey.episode('e149'))).toEqual(large('e149'));
    expect(cache.get(cacheKey.episode('e0'))).toBeUndefined();
  });

  it('replaces the environment, counted as evictions, when removed entries fill it', () => {
    // Small entries: a removed one keeps its key and its place in a leaf page, so evicting them
    // frees no page, and a map full of them is replaced with an empty one (every process moves).
    const limit = 256 * 1024;
    const { cache, other } = openShared({ mapSizeBytes: limit });
    let replaced = 0;
    let before = cache.stats().sizeBytes;
    const evictedBefore = cache.stats().keyspaces.query.evictions;
    for (let i = 0; i < 1500; i += 1) {
      // Long keys, so that removed entries alone outgrow the map.
      const key = cacheKey.query(`q${i}`.padEnd(300, '-'));
      cache.fill(key, { id: `q${i}`, note: 'x'.repeat(200) }, cache.generation());
      if (i % 10 !== 0) cache.invalidate([key]);
      const size = cache.stats().sizeBytes;
      if (size < before) replaced += 1;
      before = size;
      expect(size).toBeLessThanOrEqual(limit);
    }
    expect(replaced).toBeGreaterThan(0);
    // Counted: the entries still live when the map filled went, by retiring or replacement.
    expect(cache.stats().keyspaces.query.evictions).toBeGreaterThan(evictedBefore);
    cache.fill(cacheKey.query('last'), { id: 'last' }, cache.generation());
    expect(other.get(cacheKey.query('last'))).toEqual({ id: 'last' });
  });

  it('a fill or read LMDB refuses costs a miss and a warning, never an error', () => {
    const { cache, warnings } = open();
    const refused = cacheKey.query('k'.repeat(4000)); // longer than LMDB's largest key
    expect(() => cache.fill(refused, ['x'], cache.generation())).not.toThrow();
    expect(() => cache.fill(refused, ['x'], cache.generation())).not.toThrow();
    expect(cache.get(refused)).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('a cache fill failed')]);
    const fine = cacheKey.query('fine');
    cache.fill(fine, ['ok'], cache.generation());
    expect(cache.get(fine)).toEqual(['ok']);
  });

  it('does not cache a value too large for its map', () => {
    const { cache } = open({ mapSizeBytes: 256 * 1024, compressionThreshold: 1 << 20 });
    cache.fill(cacheKey.episode('huge'), episode('huge', 1000), cache.generation());
    expect(cache.get(cacheKey.episode('huge'))).toBeUndefined();
    expect(cache.stats().keyspaces.episode.entries).toBe(0);
  });
});

describe('expiry sweep', () => {
  it('removes expired entries in batches of at most sweepBatchSize and keeps fresh ones', () => {
    const start = Date.UTC(2030, 0, 1);
    vi.setSystemTime(start);
    const { cache, dir } = open({ ttl: { episode: 3600, pattern: 1800, query: 1 } });
    for (let i = 0; i < 35; i += 1)
      cache.fill(cacheKey.query(`q${String(i).padStart(2, '0')}`), [i], cache.generation());
    for (let i = 0; i < 5; i += 1)
      cache.fill(cacheKey.episode(`e${i}`), episode(`e${i}`), cache.generation());
    const { db } = rawEnvironment(dir);
    const counters = newCounters();
    const cursor = { after: undefined };
    const now = start + 2000;
    const removedPerSweep: number[] = [];
    for (let sweep = 0; sweep < 10; sweep += 1)
      removedPerSweep.push(sweepExpired(db, 10, now, counters, cursor));
    expect(Math.max(...removedPerSweep)).toBeLessThanOrEqual(10);
    expect(removedPerSweep.reduce((a, b) => a + b, 0)).toBe(35);
    expect(counters.query.expirations).toBe(35);
    expect(cache.stats().keyspaces).toMatchObject({ query: { entries: 0 }, episode: { entries: 5 } });
  });

  it('runs in the background and counts expirations', async () => {
    const start = Date.UTC(2030, 0, 1);
    vi.setSystemTime(start);
    const { cache } = open({ ttl: { episode: 3600, pattern: 1800, query: 1 }, sweepIntervalMs: 10 });
    for (let i = 0; i < 30; i += 1) cache.fill(cacheKey.query(`q${i}`), [i], cache.generation());
    vi.setSystemTime(start + 1500);
    await vi.waitFor(
      () => expect(cache.stats().keyspaces.query).toMatchObject({ expirations: 30, entries: 0 }),
      {
        timeout: 30_000,
      },
    );
  });

  it('keeps an entry refilled after its earlier copy expired', () => {
    const start = Date.UTC(2030, 0, 1);
    vi.setSystemTime(start);
    const { cache, dir } = open({ ttl: { episode: 3600, pattern: 1800, query: 1 } });
    const key = cacheKey.query('q');
    cache.fill(key, ['old'], cache.generation());
    vi.setSystemTime(start + 2000);
    cache.fill(key, ['refilled'], cache.generation());
    const { db } = rawEnvironment(dir);
    expect(envelopeExpiry(db.getBinary(key) as Buffer)).toBe(start + 3000);
    expect(sweepExpired(db, 10, start + 2000, newCounters(), { after: undefined })).toBe(0);
    expect(cache.get(key)).toEqual(['refilled']);
  });
});

describe('LMDB cache failures are loud', () => {
  it('counts an unreadable entry in readErrors and warns once, answering it as a miss', () => {
    const { cache, dir, warnings } = open();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-0000000000e1');
    cache.fill(key, episode('e1'), cache.generation());
    // A fresh envelope whose JSON is cut short: the entry cannot be decoded.
    const raw = rawEnvironment(dir);
    const envelope = encodeEnvelope('{"id":"e1",', Date.now() + 60_000, cacheSettingsSchema.parse({}));
    raw.db.putSync(key, envelope);
    expect([cache.get(key), cache.get(key)]).toEqual([undefined, undefined]);
    expect(cache.stats()).toMatchObject({ readErrors: 2, keyspaces: { episode: { misses: 2 } } });
    expect(warnings.filter((warning) => warning.includes('reading an entry failed'))).toHaveLength(1);
  });

  it('never serves an entry from a cache folder replaced since, not even for a moment', () => {
    const first = open();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-0000000000e2');
    first.cache.fill(key, episode('old'), first.cache.generation());
    expect(first.cache.get(key)).toEqual(episode('old'));
    // Another store replaces the folder (a purge, a restore) and caches a newer value there.
    const root = join(first.dir, 'cache');
    for (const entry of readdirSync(root)) renameSync(join(root, entry), join(root, `${entry}.swapped`));
    const second = first.reopen();
    cleanups.push(() => second.close());
    second.fill(key, episode('new'), second.generation());
    expect(first.cache.get(key)).toEqual(episode('new'));
  });

  it('after an invalidation fails, no store sharing the cache serves what it should have removed', () => {
    const { cache, dir, warnings, other } = openShared();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-0000000000e3');
    cache.fill(key, episode('stale'), cache.generation());
    expect(other.get(key)).toEqual(episode('stale'));
    const raw = rawEnvironment(dir);
    const spy = vi.spyOn(raw.db, 'transactionSync').mockImplementation(() => {
      throw new Error('MDB_MAP_FULL: Environment mapsize limit reached');
    });
    cache.invalidate([key]);
    spy.mockRestore();
    expect(cache.stats()).toMatchObject({ enabled: false });
    expect(warnings.at(-1)).toMatch(
      /invalidation could not be written.*every process sharing the cache starts/,
    );
    expect(other.get(key)).toBeUndefined();
  });

  it('treats an invalidation that LMDB returns from but does not keep as failed', () => {
    const { cache, dir, warnings, other } = openShared();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-0000000000e4');
    cache.fill(key, episode('stale'), cache.generation());
    const raw = rawEnvironment(dir);
    // What lmdb-js does to about one commit in 100,000-300,000 under several writing processes:
    // the call returns normally and the transaction is gone. Here it runs and is then aborted.
    const commit = raw.db.transactionSync.bind(raw.db);
    const aborted = new Error('rolled back');
    const spy = vi.spyOn(raw.db, 'transactionSync').mockImplementationOnce((write) => {
      try {
        commit(() => {
          write();
          throw aborted;
        });
      } catch (error) {
        if (error !== aborted) throw error;
      }
    });
    cache.invalidate([key]);
    spy.mockRestore();
    expect(cache.stats()).toMatchObject({ enabled: false });
    expect(warnings.at(-1)).toMatch(
      /invalidation was not kept.*Running without the cache for 30 s, then with a new one, and every process sharing the cache starts/,
    );
    expect(other.get(key)).toBeUndefined();
    expect(cache.get(key)).toBeUndefined();
    // A lost commit is lmdb-js's, not the cache's: after the wait it runs with a new environment
    // (until session 46, without the cache for the rest of the process's life).
    vi.setSystemTime(Date.now() + 31_000);
    expect(cache.get(key)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ enabled: true });
    expect(warnings.at(-1)).toMatch(/30 s after a lost commit; running with the cache again \(emptied\)/);
    cache.fill(key, episode('fresh'), cache.generation());
    expect(other.get(key)).toEqual(episode('fresh'));
  });

  it('fails when the cache goes back to a state from before an invalidation it saw', () => {
    const { cache, dir, warnings, other } = openShared();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-0000000000e5');
    const raw = rawEnvironment(dir);
    raw.db.resetReadTxn();
    const before = raw.db.getBinary('meta:generation') as Buffer;
    cache.fill(key, episode('stale'), cache.generation());
    const envelope = raw.db.getBinary(key) as Buffer;
    other.invalidate([key]);
    expect(cache.get(key)).toBeUndefined();
    // What another process's commit made on the state before the invalidation (lmdb-js lost
    // the invalidation under that process) leaves: the old generation and the old entry.
    raw.db.transactionSync(() => {
      raw.db.putSync('meta:generation', before);
      raw.db.putSync(key, envelope);
    });
    expect(cache.get(key)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ enabled: false });
    expect(warnings.at(-1)).toMatch(/went back to an earlier state.*every process sharing the cache starts/);
    expect(other.get(key)).toBeUndefined();
  });

  it('fails when its own invalidation is undone by a commit that still moved the generation on', () => {
    const { cache, dir, warnings, other } = openShared();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-0000000000e6');
    const raw = rawEnvironment(dir);
    cache.fill(key, episode('stale'), cache.generation());
    raw.db.resetReadTxn();
    const envelope = raw.db.getBinary(key) as Buffer;
    expect(other.get(key)).toEqual(episode('stale'));
    cache.invalidate([key]);
    // Another process's invalidation made on the state before ours, with a larger step: the
    // generation is higher than ours, our entry is back and our token is gone.
    const [tokenKey] = tokenKeys(raw);
    const ahead = Buffer.allocUnsafe(8);
    ahead.writeDoubleLE(cache.generation() + 1_000_000, 0);
    raw.db.transactionSync(() => {
      raw.db.putSync('meta:generation', ahead);
      raw.db.putSync(key, envelope);
      raw.db.removeSync(tokenKey as string);
    });
    expect(cache.get(key)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ enabled: false });
    expect(warnings.at(-1)).toMatch(/went back to an earlier state.*last invalidation is gone/);
    expect(other.get(key)).toBeUndefined();
  });

  it('removes an entry by overwriting it, so every process misses it while its key stays', () => {
    const { cache, dir, other } = openShared();
    const key = cacheKey.episode('0193a8f0-0000-7000-8000-000000000001');
    cache.fill(key, episode('e1'), cache.generation());
    cache.fill(cacheKey.query('q1'), [{ id: 'e1' }], cache.generation());
    expect(other.get(key)).toEqual(episode('e1'));
    cache.invalidate([key]);
    expect(other.get(key)).toBeUndefined();
    other.invalidateAll();
    expect(cache.get(cacheKey.query('q1'))).toBeUndefined();
    const raw = rawEnvironment(dir);
    raw.db.resetReadTxn();
    const keys = [...raw.db.getKeys()].filter((name) => !name.startsWith('meta:'));
    expect(keys).toEqual([key, cacheKey.query('q1')]);
    expect(cache.stats().keyspaces).toMatchObject({ episode: { entries: 0 }, query: { entries: 0 } });
    // Filled again over the removed entry, it is served again.
    cache.fill(key, episode('e2'), cache.generation());
    expect(other.get(key)).toEqual(episode('e2'));
    expect(other.stats().keyspaces.episode.entries).toBe(1);
  });
});
