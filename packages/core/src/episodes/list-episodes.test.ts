import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { Episode } from '../types.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
const created: Episode[] = [];

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 23; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: i % 2 === 0 ? 'debugging' : 'testing',
      domain: i % 3 === 0 ? 'billing' : 'web',
    });
    if (i % 4 === 0) await store.memory.episodes.complete(episode.id, { status: 'completed' });
    created.push(episode);
  }
});
afterAll(() => store.close());

describe('listEpisodes', () => {
  it('walks a domain newest first, page by page, with no repeats or gaps', async () => {
    const expected = created
      .filter((e) => e.domain === 'web')
      .map((e) => e.id)
      .reverse();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.memory.episodes.list({
        domain: 'web',
        limit: 4,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(expected);
  });

  it('filters by status, task type and time', async () => {
    const completed = await store.memory.episodes.list({ status: 'completed', limit: 100 });
    expect(completed.items.map((e) => e.id).sort()).toEqual(
      created
        .filter((_, i) => i % 4 === 0)
        .map((e) => e.id)
        .sort(),
    );
    const testing = await store.memory.episodes.list({ taskType: 'testing', domain: 'billing', limit: 100 });
    expect(testing.items.every((e) => e.taskType === 'testing' && e.domain === 'billing')).toBe(true);
    expect(testing.items).toHaveLength(
      created.filter((e, i) => i % 2 === 1 && e.domain === 'billing').length,
    );

    const middle = created[10]!;
    const since = await store.memory.episodes.list({ since: middle.createdAt, limit: 100 });
    expect(since.items.every((e) => e.createdAt >= middle.createdAt)).toBe(true);
    expect(since.items.map((e) => e.id)).toContain(middle.id);
    const until = await store.memory.episodes.list({ until: middle.createdAt, limit: 100 });
    expect(until.items.every((e) => e.createdAt < middle.createdAt)).toBe(true);
    expect(since.items.length + until.items.length).toBe(created.length);
  });

  it('refuses a forged cursor and an oversized page with field paths', async () => {
    await expect(store.memory.episodes.list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'cursor' }],
    });
    await expect(store.memory.episodes.list({ limit: 10_000 })).rejects.toMatchObject({
      issues: [{ path: 'limit' }],
    });
  });
});

describe('a page without a limit', () => {
  it('is no larger than a configured maxPageSize smaller than the default', async () => {
    const small = await openTempMemory({ limits: { maxPageSize: 5 } });
    try {
      for (let i = 0; i < 8; i += 1) {
        const { id } = await small.memory.episodes.start({
          taskType: 'debugging',
          domain: 'web',
          context: 'flaky checkout test',
        });
        await small.memory.episodes.complete(id, { status: 'completed' });
      }
      const page = await small.memory.episodes.list({});
      expect([page.items.length, page.nextCursor === null]).toEqual([5, false]);
      expect((await small.memory.search.text({ text: 'checkout' })).length).toBe(5);
      expect((await small.memory.search.retrieve({ text: 'checkout' })).episodes.length).toBe(5);
    } finally {
      await small.close();
    }
  });
});
