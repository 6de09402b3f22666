import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { speedAtScale } from './mining-scale.js';
import { withTempDir } from './temp-dir.js';

const count = async (path: string, table: 'episodes' | 'patterns' | 'learning_queue') => {
  const client = createClient({ url: `file:${path}`, intMode: 'number' });
  try {
    return Number((await client.execute(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n);
  } finally {
    client.close();
  }
};

describe('mining cost at scale', () => {
  it('completes the episodes without miners where no miner learns, not in the store the miners run on', async () => {
    const sizes = { stored: 30, measured: 4, forgotten: 3 };
    const counts = await withTempDir('episodic-mining-scale-', async (dir) => {
      const speed = await speedAtScale({ tempDir: dir, progress: () => undefined }, sizes);
      expect(speed.withMining).toHaveLength(sizes.measured);
      expect(speed.withoutMining).toHaveLength(sizes.measured);
      const bare = join(dir, 'scale-without-miners.db');
      return {
        minersStore: await count(join(dir, 'scale.db'), 'episodes'),
        bare: await count(bare, 'episodes'),
        barePatterns: await count(bare, 'patterns'),
        bareQueued: await count(bare, 'learning_queue'),
      };
    });
    // In the miners' store, `learning.flush` after each completion would wait for them to mine it.
    expect(counts).toEqual({
      minersStore: sizes.stored + sizes.measured - sizes.forgotten,
      bare: sizes.stored + sizes.measured,
      barePatterns: 0,
      bareQueued: 0,
    });
  });
});
