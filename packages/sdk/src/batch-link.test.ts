import { startTestServer } from '@episodic/server/testing';
import { describe, expect, it } from 'vitest';
import { maxBatchItems } from './batch-link.js';
import { createEpisodicClient, createRemoteMemory } from './index.js';

describe('calls made in the same tick', () => {
  it('all succeed however many there are: 2,000 did not fit one request line, and all of them failed', async () => {
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    const memory = createRemoteMemory({ url: t.url, token: t.adminToken });
    const client = createEpisodicClient({ url: t.url, token: t.adminToken });
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: 'flaky checkout',
    });

    // An agent reading back many past episodes at once: `Promise.all`, as anyone would write it.
    const viaMemory = await Promise.allSettled(
      Array.from({ length: 2000 }, () => memory.episodes.get(episode.id)),
    );
    const viaClient = await Promise.allSettled(
      Array.from({ length: 2000 }, () => client.episodes.get.query({ episodeId: episode.id })),
    );
    for (const results of [viaMemory, viaClient]) {
      const failed = results.filter((result) => result.status === 'rejected');
      expect(failed.map((result) => String(result.reason)).slice(0, 1)).toEqual([]);
      expect(
        results.every((result) => result.status === 'fulfilled' && result.value?.id === episode.id),
      ).toBe(true);
    }
  }, 120_000);

  it('go in requests of at most maxBatchItems calls', async () => {
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    const sizes: number[] = [];
    const counting: typeof fetch = (input, init) => {
      const path = new URL(String(input)).pathname.replace('/trpc/', '');
      sizes.push(path.split(',').length);
      return fetch(input, init);
    };
    const memory = createRemoteMemory({ url: t.url, token: t.adminToken, fetch: counting });
    await Promise.all(Array.from({ length: 25 }, () => memory.search.text({ text: 'checkout' })));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(25);
    expect(Math.max(...sizes)).toBe(maxBatchItems);
  });
});
