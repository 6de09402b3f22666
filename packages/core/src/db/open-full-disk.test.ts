import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testLocalDriver } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';
import { mountSmallDisk } from '../testing/small-disk.js';

/**
 * Opening a store on a real full disk (an 8 MB tmpfs). Mounting needs root (or CAP_SYS_ADMIN);
 * elsewhere the test says it is skipped (CI runs as root and runs it).
 */
const disk = mountSmallDisk(8);
afterAll(() => disk.remove());

describe.skipIf(disk.skipped !== null)(
  `opening a store on a full disk${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
  () => {
    it('says the disk is full, where libSQL says only "disk I/O error"', async () => {
      const open = (name: string) =>
        openMemory({
          url: `file:${join(disk.path ?? '', name, 'memory.db')}`,
          cache: false,
          localDriver: testLocalDriver,
        });
      await (await open('existing')).close();
      disk.fill();
      try {
        for (const name of ['existing', 'new']) {
          await expect(open(name)).rejects.toMatchObject({
            name: 'EpisodicError',
            code: 'STORAGE',
            message: expect.stringMatching(
              /^Cannot open the database at file:.*: .*\. The disk holding it has \d+ KiB free: free space there, then open it again\.$/,
            ),
          });
        }
      } finally {
        disk.free();
      }
      await (await open('existing')).close();
    });
  },
);
