import { startTestServer } from '@episodic/server/testing';
import { describe, expect, it } from 'vitest';
import { maxBatchItems } from './batch-link.js';
import { createEpisodicClient, createRemoteMemory } from './index.js';
import { maxRequestsInFlight } from './request-limit.js';

const nextMacrotask = () => new Promise((resolve) => setTimeout(resolve, 5));

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

  it('go in at most maxRequestsInFlight requests at a time; a call aborted while it waits is never sent', async () => {
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const bodies: string[] = [];
    let inFlight = 0;
    let most = 0;
    // The requests reach the server only once the gate opens: until then they stay in flight.
    const held: typeof fetch = async (input, init) => {
      bodies.push(String(init?.body));
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        await gate;
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    const client = createEpisodicClient({ url: t.url, token: t.adminToken, fetch: held });
    const calls: Promise<unknown>[] = [];
    // Each call in a tick of its own, so each is a request of its own.
    for (let n = 0; n < maxRequestsInFlight + 2; n += 1) {
      calls.push(client.search.text.query({ text: `first ${n}` }));
      await nextMacrotask();
    }
    expect(bodies).toHaveLength(maxRequestsInFlight);

    const controller = new AbortController();
    const aborted = client.search.text.query({ text: 'never sent' }, { signal: controller.signal });
    await nextMacrotask();
    controller.abort();
    await expect(aborted).rejects.toThrow(/abort/i);

    open();
    expect(await Promise.all(calls)).toHaveLength(maxRequestsInFlight + 2);
    expect(most).toBe(maxRequestsInFlight);
    expect(bodies).toHaveLength(maxRequestsInFlight + 2);
    expect(bodies.filter((body) => body.includes('never sent'))).toEqual([]);
  });
});
