import { join } from 'node:path';
import { verifyDatabase } from '@episodic/core';
import { mountSmallDisk } from '@episodic/core/testing';
import { startTestServer } from '@episodic/server/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createEpisodicClient, TRPCClientError } from './index.js';

/**
 * The server's disk fills up under an agent recording through the SDK: a 32 MB tmpfs holds the
 * server's data folder. Mounting needs root (or CAP_SYS_ADMIN); elsewhere the test says it is
 * skipped (CI runs as root and runs it).
 */
const disk = mountSmallDisk(32);
/** A second disk, for a store whose cache is on (it needs room for its 8 MiB map at start). */
const roomy = mountSmallDisk(128);
afterAll(() => {
  disk.remove();
  roomy.remove();
});

const step = (n: number) => ({
  action: `run_tests ${n}`,
  result: `test output ${n} `.repeat(2000),
  success: true,
});

describe.skipIf(disk.skipped !== null)(
  `a full disk under the SDK${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
  () => {
    it('keeps the steps the server refused for want of space and stores each once, in order, when there is room again', async () => {
      await using t = await startTestServer({ dataDir: join(disk.path ?? '', 'data') });
      const client = createEpisodicClient({
        url: t.url,
        token: t.adminToken,
        steps: { maxBatch: 10, flushIntervalMs: 50, retry: { retries: 2, delayMs: 50 } },
      });
      const episode = await client.startEpisode({ taskType: 'testing', domain: 'web', context: 'full disk' });

      disk.fill();
      // The WAL may still have room for a few batches; batches of 400 KB soon find none.
      const ids: string[] = [];
      let refusal: unknown;
      for (let batch = 0; batch < 100 && refusal === undefined; batch += 1) {
        for (let i = 0; i < 10; i += 1) ids.push(episode.step(step(ids.length)));
        refusal = await episode.flush().then(
          () => undefined,
          (error: unknown) => error,
        );
      }
      expect(refusal).toBeInstanceOf(TRPCClientError);
      expect((refusal as TRPCClientError<never>).message).toMatch(/^The disk holding the database is full/);
      expect(episode.pending).toBe(10);

      // The agent goes on recording and tries to finish while the disk is still full.
      for (let i = 0; i < 5; i += 1) ids.push(episode.step(step(ids.length)));
      await expect(episode.complete({ status: 'completed' })).rejects.toThrow(
        /disk holding the database is full/,
      );
      expect(episode.pending).toBe(15);

      disk.free();
      await expect(episode.complete({ status: 'completed' })).resolves.toMatchObject({ status: 'completed' });
      expect(episode.pending).toBe(0);
      const stored = await client.episodes.get.query({ episodeId: episode.id });
      expect(stored.stepCount).toBe(ids.length);
      const all: [string, number][] = [];
      let cursor: string | undefined;
      do {
        const page = await client.episodes.steps.query({ episodeId: episode.id, cursor });
        all.push(...page.items.map((s): [string, number] => [s.id, s.stepNumber]));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(all).toEqual(ids.map((id, i) => [id, i + 1]));
    }, 120_000);

    it('loses nothing it acknowledged while the disk fills and empties under an agent, and the store ends sound', async () => {
      const dataDir = join(roomy.path ?? '', 'data');
      const t = await startTestServer({ dataDir, cache: { mapSizeBytes: 8 * 1024 * 1024 } });
      try {
        const client = createEpisodicClient({
          url: t.url,
          token: t.adminToken,
          steps: { flushIntervalMs: 50 },
        });
        expect((await client.admin.stats.query()).cache.enabled).toBe(true);
        let full = false;
        // Full for 2 s, then room for 2 s, over and over while the agent works.
        const toggle = setInterval(() => {
          full = !full;
          if (full) roomy.fill();
          else roomy.free();
        }, 2000);
        const acknowledged: string[] = [];
        let refused = 0;
        try {
          for (const until = Date.now() + 16_000; Date.now() < until; ) {
            const n = acknowledged.length + refused;
            try {
              const episode = await client.startEpisode({
                taskType: 'debugging',
                domain: 'web',
                context: `run ${n}`,
              });
              for (let i = 0; i < 5; i += 1) episode.step(step(i));
              await episode.complete({ status: 'completed' });
              acknowledged.push(episode.id);
            } catch (error) {
              // Refused after the SDK's retries: the disk stayed full (or, on a loaded machine, the
              // write lock held) longer than they waited. Both are 503s that stored nothing.
              expect((error as Error).message).toMatch(
                /^(The disk holding the database is full|The database is busy)/,
              );
              refused += 1;
            }
            const found = await client.search.retrieve.query({ text: `run ${n % 7}` });
            expect(found.episodes.length).toBeGreaterThan(0);
          }
        } finally {
          clearInterval(toggle);
          roomy.free();
        }
        expect(acknowledged.length).toBeGreaterThan(10);
        for (const episodeId of acknowledged) {
          const stored = await client.episodes.get.query({ episodeId });
          expect([stored.status, stored.stepCount]).toEqual(['completed', 5]);
        }
        await expect
          .poll(async () => (await client.learning.status.query()).pending, {
            timeout: 120_000,
            interval: 250,
          })
          .toBe(0);
        expect((await client.learning.status.query()).failed).toBe(0);
      } finally {
        await t.close();
      }
      expect(await verifyDatabase(join(dataDir, 'memory.db'))).toMatchObject({ ok: true });
    }, 240_000);
  },
);
