import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openMemory } from '../open-memory.js';
import { mountSmallDisk } from '../testing/small-disk.js';
import { recordingLogger } from './__fixtures__/test-cache.js';

/**
 * A store and its cache on a real small disk (a 64 MB tmpfs) that fills up. Mounting needs root
 * (or CAP_SYS_ADMIN); elsewhere the test says it is skipped (CI runs as root and runs it).
 */
const disk = mountSmallDisk(64);
afterAll(() => disk.remove());
afterEach(() => {
  vi.useRealTimers();
});

describe.skipIf(disk.skipped !== null)(
  `a cache whose disk fills up${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
  () => {
    it('stops writing through its memory map while the disk has no room for it, instead of killing the process, and comes back once there is', async () => {
      const { warnings, logger } = recordingLogger();
      const memory = await openMemory({
        url: `file:${join(disk.path ?? '', 'memory.db')}`,
        cache: { mapSizeBytes: 8 * 1024 * 1024 },
        logger,
      });
      try {
        const record = async (context: string) => {
          const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web', context });
          await memory.episodes.complete(episode.id, { status: 'completed' });
          return episode.id;
        };
        const found = async (text: string) =>
          (await memory.search.retrieve({ text })).episodes.map((hit) => hit.episode.id).sort();
        const first = await record('checkout page crashes on submit');
        expect(await found('checkout crashes')).toEqual([first]);
        expect(memory.admin.cacheStats()).toMatchObject({
          enabled: true,
          keyspaces: { query: { entries: 1 } },
        });

        // A full disk: each retrieve would fill the cache with a new entry, through pages its
        // file has no disk block for yet (without the check, the process died of SIGBUS here).
        disk.fill();
        for (let i = 0; i < 200; i += 1) {
          expect(await found(`checkout crashes ${i} ${'submit '.repeat(i % 7)}`)).toEqual([first]);
        }
        expect(warnings.join('\n')).toMatch(
          /cache fill failed: the disk holding it has 0 MiB free, less than/,
        );
        expect(memory.admin.cacheStats()).toMatchObject({
          enabled: true,
          keyspaces: { query: { entries: 1 } },
        });

        // A write may change what the cache holds: with no room to record that, the cache stops
        // rather than serve what the write made stale.
        await expect(record('written on a full disk')).rejects.toMatchObject({ code: 'FULL' });
        expect(memory.admin.cacheStats()).toMatchObject({
          enabled: false,
          reason: expect.stringMatching(
            /invalidation could not be written: the disk holding it has 0 MiB free/,
          ),
        });

        // Its looks for room (every 30 s, on a timer ticking every second) find none: the disk
        // still full (its folder cannot even be made), then room for the database's writes but
        // not for the cache's map. It stays off, and goes on looking.
        const nextLook = async () => {
          vi.setSystemTime(Date.now() + 31_000);
          await new Promise((resolve) => setTimeout(resolve, 1500));
        };
        vi.useFakeTimers({ toFake: ['Date'] });
        await nextLook();
        expect(memory.admin.cacheStats().enabled).toBe(false);
        disk.free(4 * 1024 * 1024);
        const second = await record('checkout page crashes again after the deploy');
        await nextLook();
        expect(await found('checkout crashes')).toEqual([first, second].sort());
        expect(memory.admin.cacheStats().enabled).toBe(false);
        expect(warnings.join('\n')).not.toMatch(/from now on/);

        // Room again: the cache's next look (it looks every second) finds it, and it comes back empty.
        disk.free();
        vi.setSystemTime(Date.now() + 31_000);
        await expect.poll(() => memory.admin.cacheStats().enabled, { timeout: 10_000 }).toBe(true);
        expect(memory.admin.cacheStats()).toMatchObject({
          reason: null,
          keyspaces: { query: { entries: 0 } },
        });
        expect(warnings.at(-1)).toMatch(/the disk has room again; running with the cache again \(emptied\)/);
        expect(await found('deploy')).toEqual([second]);
        expect(await found('checkout crashes')).toEqual([first, second].sort());
        expect(memory.admin.cacheStats().keyspaces.query.entries).toBe(2);
      } finally {
        await memory.close();
      }
    }, 120_000);

    it('opened without room for it, runs without it, and comes back once there is room', async () => {
      const { warnings, logger } = recordingLogger();
      disk.fill();
      disk.free(4 * 1024 * 1024);
      const memory = await openMemory({
        url: `file:${join(disk.path ?? '', 'second', 'memory.db')}`,
        cache: { mapSizeBytes: 8 * 1024 * 1024 },
        logger,
      });
      try {
        expect(memory.admin.cacheStats()).toMatchObject({
          enabled: false,
          reason: expect.stringMatching(/^it cannot be opened: the disk holding it has \d+ MiB free/),
          changeFeed: { failing: false },
        });
        expect(warnings).toEqual([
          expect.stringMatching(/Running without the cache until the disk has room/),
        ]);
        disk.free();
        vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
        await expect.poll(() => memory.admin.cacheStats().enabled, { timeout: 10_000 }).toBe(true);
        const episode = await memory.episodes.start({
          taskType: 'debugging',
          domain: 'web',
          context: 'later',
        });
        expect(
          (await memory.search.retrieve({ text: 'later' })).episodes.map((hit) => hit.episode.id),
        ).toEqual([episode.id]);
        expect(memory.admin.cacheStats().keyspaces.query.entries).toBe(1);
      } finally {
        await memory.close();
      }
    }, 120_000);
  },
);
