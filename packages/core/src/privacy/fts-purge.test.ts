import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { openMemory } from '../open-memory.js';
import { createFtsPurge, defaultPurgePacing, type FtsPurge, nextPurgeGapMs } from './fts-purge.js';

const silent = { warn: () => undefined };
let folder: ReturnType<typeof tempStoreFolder>;
let db: Database;
/** Merges the purge ran (each with its checkpoint): one per run that purged. */
let runs: number;
let observed: Database;

beforeEach(async () => {
  folder = tempStoreFolder();
  // A store's schema (the full-text indexes, `fts_purge`), then its file opened on its own.
  await (await openMemory({ url: folder.url, cache: false })).close();
  db = await openDatabase({ url: folder.url, busyTimeoutMs: 5_000, synchronous: 'normal' });
  runs = 0;
  observed = {
    ...db,
    maintainAside: (statements, options) => {
      runs += 1;
      return db.maintainAside(statements, options);
    },
  };
});
afterEach(async () => {
  vi.useRealTimers();
  await db.close();
  folder.cleanup();
});

/** A forget's part: the pending mark committed, then the purge asked for. */
async function forgot(purge: FtsPurge): Promise<void> {
  await db.write((tx) => purge.markPending(tx));
  purge.request();
}

describe('the background purge', () => {
  it('waits 9 times as long as its last run took (a 10% share of the time), within 1 s and 60 s', () => {
    expect(nextPurgeGapMs(0)).toBe(1_000);
    expect(nextPurgeGapMs(500)).toBe(4_500);
    expect(nextPurgeGapMs(5_000)).toBe(45_000);
    expect(nextPurgeGapMs(30_000)).toBe(60_000);
  });

  it('runs by itself once the gap has passed: one run for a burst of forgets', async () => {
    const purge = createFtsPurge(observed, silent, { ...defaultPurgePacing, minGapMs: 5_000 });
    await forgot(purge);
    await vi.waitFor(async () => expect((await purge.state()).pendingSince).toBeNull(), {
      timeout: 60_000,
    });
    expect(runs).toBe(1);
    for (let i = 0; i < 10; i += 1) await forgot(purge);
    expect((await purge.state()).pendingSince).not.toBeNull();
    await vi.waitFor(async () => expect((await purge.state()).pendingSince).toBeNull(), {
      timeout: 120_000,
      interval: 100,
    });
    expect(runs).toBe(2);
    await purge.close();
  });

  it('starts no run before the gap has passed, while settle (purge: wait, admin.purge) purges at once', async () => {
    let cachePurges = 0;
    const purge = createFtsPurge(
      observed,
      silent,
      { ...defaultPurgePacing, minGapMs: 60_000 },
      () => (cachePurges += 1),
    );
    await forgot(purge);
    await vi.waitFor(async () => expect((await purge.state()).pendingSince).toBeNull(), {
      timeout: 60_000,
    });
    for (let i = 0; i < 10; i += 1) await forgot(purge);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await purge.state()).pendingSince).not.toBeNull();
    expect(runs).toBe(1);
    expect((await purge.settle()).pendingSince).toBeNull();
    expect(runs).toBe(2);
    // The cache's files are purged with the rest, once per run: once for the ten forgets.
    expect(cachePurges).toBe(2);
    // Nothing left for the scheduled run, nor for close.
    await purge.close();
    expect(runs).toBe(2);
    expect(cachePurges).toBe(2);
  });

  it('keeps to its gap when the wall clock is set back', async () => {
    const purge = createFtsPurge(observed, silent, { ...defaultPurgePacing, minGapMs: 1_000 });
    await forgot(purge);
    await vi.waitFor(async () => expect((await purge.state()).pendingSince).toBeNull(), {
      timeout: 60_000,
    });
    // An NTP correction an hour back, then a forget: its purge still follows within the gap.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3_600_000);
    await forgot(purge);
    await vi.waitFor(async () => expect((await purge.state()).pendingSince).toBeNull(), {
      timeout: 30_000,
      interval: 100,
    });
    expect(runs).toBe(2);
    await purge.close();
  });

  it('purges at close what is still waiting for its gap', async () => {
    const purge = createFtsPurge(observed, silent, { ...defaultPurgePacing, minGapMs: 60_000 });
    await forgot(purge);
    await vi.waitFor(async () => expect((await purge.state()).pendingSince).toBeNull(), {
      timeout: 60_000,
    });
    await forgot(purge);
    await purge.close();
    expect((await purge.state()).pendingSince).toBeNull();
    expect(runs).toBe(2);
  });
});

describe("a forget's own purge (purge: 'wait')", () => {
  it('is done once a run after it finished, though a forget that committed during that run is left pending', async () => {
    const purge = createFtsPurge(
      {
        ...observed,
        // Another caller's (or process's) forget commits while this run merges.
        maintainAside: async (statements, options) => {
          if (runs === 0) await db.write((tx) => purge.markPending(tx));
          return observed.maintainAside(statements, options);
        },
      },
      silent,
    );
    const mine = await db.write((tx) => purge.markPending(tx));
    expect(await purge.settleForget(mine)).toBe('done');
    // The store-wide mark stays for the other forget: judged by it, this one would say 'pending'.
    expect((await purge.state()).pendingSince).not.toBeNull();
    expect(runs).toBe(1);
    expect(await purge.settleForget(mine + 1)).toBe('done');
    expect((await purge.state()).pendingSince).toBeNull();
    await purge.close();
  });

  it("is done without a merge when another process's purge already covered it", async () => {
    const here = createFtsPurge(observed, silent);
    const elsewhere = createFtsPurge(db, silent);
    const mine = await db.write((tx) => here.markPending(tx));
    await elsewhere.settle();
    expect(await here.settleForget(mine)).toBe('done');
    expect(runs).toBe(0);
    await Promise.all([here.close(), elsewhere.close()]);
  });

  it('is pending when its run could not finish', async () => {
    const purge = createFtsPurge(
      {
        ...observed,
        maintainAside: () => Promise.reject(new Error('disk I/O error')),
      },
      silent,
    );
    const mine = await db.write((tx) => purge.markPending(tx));
    expect(await purge.settleForget(mine)).toBe('pending');
    expect((await purge.state()).pendingSince).not.toBeNull();
  });
});
