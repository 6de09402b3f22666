import { join } from 'node:path';
import type { PatternMinerV1 } from '@episodic/plugin';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openMemory } from '../open-memory.js';
import { mountSmallDisk } from '../testing/small-disk.js';

/**
 * Learners whose results the store refuses for want of disk (a real 16 MB tmpfs). Mounting needs
 * root (or CAP_SYS_ADMIN); elsewhere the test says it is skipped (CI runs as root and runs it).
 */
const disk = mountSmallDisk(16);
afterAll(() => disk.remove());

/**
 * A miner whose 60 patterns hold 3 MB (each within `maxPatternDataChars`), and which mines nothing
 * until `open()` is called.
 */
function gatedBigMiner() {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const miner: PatternMinerV1<{ blob: string }> & { calls: number } = {
    specificationVersion: 'v1',
    patternType: 'big_blob',
    dataSchema: z.strictObject({ blob: z.string() }),
    history: 'none',
    describe: () => 'a big pattern',
    calls: 0,
    async mine({ succeeded }) {
      miner.calls += 1;
      await gate;
      return Array.from({ length: patterns }, (_, i) => ({
        data: { blob: `${i} ${'x'.repeat(50_000)}` },
        success: succeeded,
      }));
    },
  };
  return { miner, open: () => open() };
}

const patterns = 60;

describe.skipIf(disk.skipped !== null)(
  `learners on a full disk${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
  () => {
    it('try again without using up the episodes’ attempts, say so once, and learn once there is room', async () => {
      const warnings: string[] = [];
      const { miner, open } = gatedBigMiner();
      const memory = await openMemory({
        url: `file:${join(disk.path ?? '', 'memory.db')}`,
        cache: false,
        miners: [miner],
        learning: { maxAttempts: 2, retryBaseMs: 10, retryMaxMs: 100, pollMs: 10 },
        logger: { warn: (message) => warnings.push(message) },
      });
      try {
        const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
        await memory.episodes.complete(episode.id, { status: 'completed' });
        await expect.poll(() => miner.calls, { timeout: 30_000 }).toBe(1);
        // Room for the queue's small writes, not for the 3 MB of patterns.
        disk.fill();
        disk.free(1024 * 1024);
        open();

        // Three times the attempts the episode has: without the fix it was left failed after two.
        await expect.poll(() => miner.calls, { timeout: 60_000, interval: 20 }).toBeGreaterThan(6);
        expect(await memory.learning.status()).toMatchObject({ pending: 1, failed: 0 });
        const refusals = warnings.filter((line) => line.includes('could not store what it learned'));
        expect(refusals).toHaveLength(1);
        expect(refusals[0]).toMatch(
          /^episodic: mining could not store what it learned from 1 episodes: The disk holding the database is full .* It tries again, without counting this against their attempts, until the store takes it\.$/,
        );

        disk.free();
        await expect
          .poll(async () => (await memory.learning.status()).pending, { timeout: 60_000, interval: 50 })
          .toBe(0);
        expect(await memory.learning.status()).toMatchObject({ failed: 0 });
        expect(warnings.at(-1)).toBe('episodic: mining stores what it learns again');
        const { items } = await memory.patterns.list({ domain: 'web', type: 'big_blob', limit: 100 });
        expect(items).toHaveLength(patterns);
      } finally {
        await memory.close();
      }
    }, 180_000);
  },
);
