import { join } from 'node:path';
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
afterAll(() => disk.remove());

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
  },
);
