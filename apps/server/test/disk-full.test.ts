import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountSmallDisk } from '@episodic/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './__fixtures__/cli-process.js';
import { createTestClient } from './__fixtures__/test-server.js';

/**
 * A real full disk: a 64 MB tmpfs holds the data folder, its cache too (with an 8 MiB map, so it
 * has room at start). Mounting needs root (or CAP_SYS_ADMIN); where it is refused the test says
 * so and is skipped (CI runs as root and runs it).
 */
const disk = mountSmallDisk(64);
const { skipped } = disk;
const configDir = mkdtempSync(join(tmpdir(), 'episodic-disk-full-config-'));
const config = join(configDir, 'episodic.config.mjs');
writeFileSync(config, 'export default { cache: { mapSizeBytes: 8 * 1024 * 1024 } };\n');
afterAll(() => {
  disk.remove();
  rmSync(configDir, { recursive: true, force: true });
});
const dataDir = join(disk.path ?? '', 'data');

/** What the tRPC client raises for a refused call: the server's message, code and status. */
type Refusal = { message: string; data?: Record<string, unknown> };

const batch = (from: number) =>
  Array.from({ length: 10 }, (_, i) => ({
    action: `run_tests ${from + i}`,
    result: `test output ${from + i} `.repeat(1000),
    success: true,
  }));

describe.skipIf(skipped !== null)(`a full disk${skipped === null ? '' : ` (skipped: ${skipped})`}`, () => {
  it('refuses writes with a 503 that says so, keeps reading, stores nothing half-written, and writes again once space is freed', async () => {
    const serve = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--config', config]);
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
      await serve.waitFor(/admin token in/);
      const client = createTestClient(url, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), {
        batch: false,
      });
      const before = await client.episodes.start.mutate({
        taskType: 'debugging',
        domain: 'web',
        context: 'before',
      });
      await client.episodes.logSteps.mutate({ episodeId: before.id, steps: batch(0) });
      await client.episodes.complete.mutate({ episodeId: before.id, status: 'completed' });
      expect((await client.admin.stats.query()).cache.enabled).toBe(true);
      // The learning thread opens its own connection after the server listens: filling the disk
      // before that would test its restart (learning-supervisor.test.ts does), not this.
      await expect
        .poll(async () => (await client.learning.status.query()).running, { timeout: 120_000, interval: 250 })
        .toBe(true);
      const target = await client.episodes.start.mutate({
        taskType: 'debugging',
        domain: 'web',
        context: 'target',
      });

      disk.fill();
      // The WAL may still have room for a few batches; a batch of 200 KB soon finds none.
      let stored = 0;
      const writeUntilRefused = async () => {
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const steps = batch(stored);
          try {
            await client.episodes.logSteps.mutate({ episodeId: target.id, steps });
            stored += steps.length;
          } catch (error) {
            return error as Refusal;
          }
        }
        throw new Error(`100 batches of 200 KB were stored on a full disk (${stored} steps)`);
      };
      const refused = await writeUntilRefused();
      expect(refused.message).toMatch(/^The disk holding the database is full .*nothing was stored\./);
      expect(refused.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
      expect(JSON.stringify(refused.data)).not.toMatch(/at .*\.js|stack/);
      // The operator hears it once, not once per refused write.
      expect((await writeUntilRefused()).data).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(
        serve.stderr().match(/the disk holding the database is full: writes are refused \(503\)/g),
      ).toHaveLength(1);
      expect(serve.stderr()).not.toMatch(/internal error/);

      // Reads go on, and the refused batch left nothing behind.
      const whileFull = await client.episodes.get.query({ episodeId: target.id });
      expect(whileFull.stepCount).toBe(stored);
      expect((await client.episodes.get.query({ episodeId: before.id })).steps).toHaveLength(10);
      expect((await client.search.text.query({ text: 'before' })).length).toBeGreaterThan(0);
      // Each retrieve would fill the cache through pages its file has no disk block for: the
      // cache, out of room, stops (said in admin.stats) instead of the process dying of SIGBUS.
      for (let i = 0; i < 50; i += 1) {
        const found = await client.search.retrieve.query({ text: `before ${'run_tests '.repeat(i)}` });
        expect(found.episodes.map((hit) => hit.episode.id)).toContain(before.id);
      }
      expect((await client.admin.stats.query()).cache).toMatchObject({
        enabled: false,
        reason: expect.stringMatching(/the disk holding it has \d+ MiB free/),
      });

      disk.free();
      await client.episodes.logSteps.mutate({ episodeId: target.id, steps: batch(stored) });
      await client.episodes.complete.mutate({ episodeId: target.id, status: 'completed' });
      const after = await client.episodes.get.query({ episodeId: target.id });
      expect([after.status, after.stepCount]).toEqual(['completed', stored + 10]);
      // Learners that failed on the full disk try again and catch up.
      await expect
        .poll(async () => (await client.learning.status.query()).pending, { timeout: 60_000, interval: 250 })
        .toBe(0);
      expect((await client.learning.status.query()).failed).toBe(0);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    const verified = await runCli(['verify', '--data-dir', dataDir]);
    expect([verified.code, verified.stderr]).toEqual([0, '']);
  }, 180_000);
});
