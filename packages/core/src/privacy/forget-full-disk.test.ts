import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { openMemory } from '../open-memory.js';
import { mountSmallDisk } from '../testing/small-disk.js';

/**
 * A forget and a reindex that the disk stops part-way, on a real disk too small for it (a tmpfs). Mounting
 * needs root (or CAP_SYS_ADMIN); elsewhere the test says it is skipped (CI runs as root).
 */
const disk = mountSmallDisk(64);
afterAll(() => disk.remove());

/** Empties the WAL into the database file, so what follows needs new room on the disk. */
async function checkpoint(url: string) {
  const raw = createClient({ url });
  await raw.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  raw.close();
}

async function embeddedBy(url: string, stamp: string): Promise<number> {
  const raw = createClient({ url });
  const rows = await raw.execute({
    sql: 'SELECT COUNT(*) AS n FROM episodes WHERE embedding_version = ?',
    args: [stamp],
  });
  raw.close();
  return Number(rows.rows[0]?.n);
}

describe.skipIf(disk.skipped !== null)(
  `forget and reindex on a disk that fills up part-way${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
  () => {
    it('says how many episodes it forgot, and sending it again forgets the rest', async () => {
      const url = `file:${join(disk.path ?? '', 'memory.db')}`;
      const memory = await openMemory({ url, cache: false });
      try {
        for (let i = 0; i < 40; i += 1) {
          const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'shop' });
          await memory.episodes.logSteps(episode.id, [
            { action: `run_tests ${i}`, result: `line ${i} of the test output `.repeat(1400) },
          ]);
        }
        await checkpoint(url);
        disk.fill();
        disk.free(400 * 1024);
        const refused = await memory.admin
          .forget({ domain: 'shop' }, { batchSize: 1, purge: 'wait' })
          .catch((error: unknown) => error);
        const left = (await memory.episodes.list({ domain: 'shop', limit: 100 })).items.length;
        expect(refused).toMatchObject({ code: 'FULL' });
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThan(40);
        expect((refused as Error).message).toContain(`${40 - left} of 40 episodes were forgotten`);
        disk.free();
        expect(await memory.admin.forget({ domain: 'shop' }, { purge: 'wait' })).toMatchObject({
          purge: 'done',
          episodeIds: expect.any(Array),
        });
        expect((await memory.episodes.list({ domain: 'shop' })).items).toEqual([]);
      } finally {
        await memory.close();
      }
    });

    it('says how many episodes a reindex re-embedded, and running it again finishes', async () => {
      disk.free();
      const url = `file:${join(disk.path ?? '', 'reindexed.db')}`;
      const memory = await openMemory({ url, cache: false });
      const next = createTestEmbeddings({ model: 'next', dimensions: 4096 });
      try {
        for (let i = 0; i < 40; i += 1) {
          const episode = await memory.episodes.start({
            taskType: 'debugging',
            domain: 'shop',
            context: `issue ${i}`,
          });
          await memory.episodes.complete(episode.id, { status: 'completed' });
        }
        await checkpoint(url);
        disk.fill();
        disk.free(200 * 1024);
        const refused = await memory.admin
          .reindex(next.provider, { batchSize: 1 })
          .catch((error: unknown) => error);
        const stamped = await embeddedBy(url, 'test/next/4096');
        expect(refused).toMatchObject({ code: 'FULL' });
        expect(stamped).toBeGreaterThan(0);
        expect(stamped).toBeLessThan(40);
        expect((refused as Error).message).toContain(`${stamped} of 40 episodes were re-embedded and kept`);
        disk.free();
        expect(await memory.admin.reindex(next.provider)).toMatchObject({ embedded: 40 - stamped });
      } finally {
        await memory.close();
      }
    });
  },
);
