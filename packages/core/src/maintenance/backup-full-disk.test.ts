import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTempMemory, tempDir } from '../__fixtures__/temp-store.js';
import { type Memory, openMemory } from '../open-memory.js';
import { mountSmallDisk } from '../testing/small-disk.js';
import { rekeyDatabase } from './rekey-database.js';
import { restoreDatabase } from './restore-database.js';
import { verifyDatabase } from './verify-database.js';

/**
 * Backup, restore and rekey writing to a real disk too small for what they write (an 8 MB
 * tmpfs). Mounting needs root (or CAP_SYS_ADMIN); elsewhere the test says it is skipped (CI runs
 * as root and runs it).
 */
const disk = mountSmallDisk(8);
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
  disk.remove();
});
const onDisk = (...parts: string[]) => join(disk.path ?? '', ...parts);

/** `count` episodes of one step of ~40 KB each. */
async function fill(memory: Memory, count: number) {
  for (let i = 0; i < count; i += 1) {
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await memory.episodes.logSteps(episode.id, [
      { action: `run_tests ${i}`, result: `line ${i} of the test output `.repeat(1400) },
    ]);
  }
}

const refusal = (path: string, outcome: string) => ({
  name: 'EpisodicError',
  code: 'FULL',
  message: expect.stringMatching(`^The disk holding ${path} is full: ${outcome}`),
});

describe.skipIf(disk.skipped !== null)(
  `maintenance on a disk without room for it${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
  () => {
    it('is refused as FULL naming the file, leaves the store as it was and no part of a copy behind', async () => {
      const store = await openTempMemory();
      const backups = tempDir();
      cleanups.push(backups.cleanup);
      const roomy = join(backups.path, 'memory-backup.db');
      try {
        await fill(store.memory, 300); // ~12 MB, more than the disk holds
        const target = onDisk('backups', 'memory-backup.db');
        await expect(store.memory.admin.backup(target)).rejects.toMatchObject(
          refusal(target, 'no backup was written \\(what was written of it is removed\\)'),
        );
        // Nothing left that would refuse the next try (a backup never overwrites a file).
        expect(readdirSync(onDisk('backups'))).toEqual([]);
        expect(await store.memory.admin.backup(roomy)).toMatchObject({ ok: true, counts: { steps: 300 } });
      } finally {
        await store.close();
      }

      const restored = onDisk('restored', 'memory.db');
      await (await openMemory({ url: `file:${restored}`, cache: false })).close();
      await expect(restoreDatabase({ path: restored, from: roomy })).rejects.toMatchObject(
        refusal(restored, 'nothing was restored, the store is as it was'),
      );
      expect(await verifyDatabase(restored)).toMatchObject({ ok: true, counts: { episodes: 0 } });
      expect(readdirSync(onDisk('restored')).filter((name) => name.includes('.restoring'))).toEqual([]);

      const rekeyed = onDisk('rekeyed', 'memory.db');
      const small = await openMemory({ url: `file:${rekeyed}`, cache: false });
      await fill(small, 20);
      await small.close();
      // Room for a quarter of a copy of it.
      disk.fill();
      disk.free(256 * 1024);
      await expect(
        rekeyDatabase({ path: rekeyed, newEncryptionKey: 'a key of at least sixteen characters' }),
      ).rejects.toMatchObject(refusal(rekeyed, 'nothing was re-encrypted, the store is as it was'));
      expect(await verifyDatabase(rekeyed)).toMatchObject({ ok: true, counts: { steps: 20 } });
      expect(readdirSync(onDisk('rekeyed')).filter((name) => name.includes('.rekeying'))).toEqual([]);
    }, 180_000);
  },
);
