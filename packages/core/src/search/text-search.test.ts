import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { Episode } from '../types.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let strong: Episode;
let weak: Episode;
let fromStep: Episode;

beforeAll(async () => {
  store = await openTempMemory();
  const { memory } = store;
  strong = await memory.episodes.start({
    taskType: 'debugging',
    domain: 'api',
    context: 'postgres connection pool exhausted: too many postgres connections',
  });
  weak = await memory.episodes.start({
    taskType: 'refactoring',
    domain: 'api',
    context: 'rename the connection helper',
  });
  fromStep = await memory.episodes.start({ taskType: 'testing', domain: 'web', context: 'flaky e2e suite' });
  await memory.episodes.logSteps(fromStep.id, [
    { action: 'run_tests', result: 'all good' },
    { action: 'run_tests', result: 'Error: postgres connection refused on port 5432', success: false },
  ]);
  await memory.episodes.complete(fromStep.id, { status: 'failed' });
});
afterAll(() => store.close());

describe('searchText', () => {
  it('ranks by BM25: more and rarer matching terms first, one hit per episode', async () => {
    const hits = await store.memory.search.text({ text: 'postgres connection exhausted' });
    expect(hits.map((hit) => hit.episode.id)).toEqual([strong.id, fromStep.id, weak.id]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[1]!.score).toBeGreaterThan(hits[2]!.score);
  });

  it('finds an error seen before in a step result, saying which step', async () => {
    const [hit] = await store.memory.search.text({ text: 'connection refused' });
    expect(hit?.episode.id).toBe(fromStep.id);
    expect(hit?.matches[0]).toMatchObject({ source: 'step', stepNumber: 2 });
    expect(hit?.matches[0]?.snippet).toContain('«refused»');
  });

  it('applies domain, task type, status, time and limit filters', async () => {
    const text = 'postgres connection';
    expect((await store.memory.search.text({ text, domain: 'web' })).map((h) => h.episode.id)).toEqual([
      fromStep.id,
    ]);
    expect(
      (await store.memory.search.text({ text, taskType: 'refactoring' })).map((h) => h.episode.id),
    ).toEqual([weak.id]);
    expect((await store.memory.search.text({ text, status: 'failed' })).map((h) => h.episode.id)).toEqual([
      fromStep.id,
    ]);
    expect(await store.memory.search.text({ text, since: '2999-01-01T00:00:00Z' })).toEqual([]);
    expect(await store.memory.search.text({ text, limit: 1 })).toHaveLength(1);
  });

  it('searches the rarest words within the row budget, as retrieve does, the rarest one always', async () => {
    // A small budget stands for a large store, where a common word matches hundreds of thousands of rows.
    await using small = await openTempMemory({ retrieval: { textBudgetRows: 4 } });
    const started = [];
    for (let i = 0; i < 6; i += 1)
      started.push(
        await small.memory.episodes.start({ taskType: 'debugging', domain: 'api', context: `timeout ${i}` }),
      );
    const rare = await small.memory.episodes.start({
      taskType: 'debugging',
      domain: 'api',
      context: 'ECONNRESET then timeout',
    });
    // "timeout" matches 7 rows, past the budget once "econnreset" (1 row) is in: it is left out.
    const hits = await small.memory.search.text({ text: 'timeout ECONNRESET' });
    expect(hits.map((hit) => hit.episode.id)).toEqual([rare.id]);
    // Alone, the common word is the rarest one asked for: searched, however many rows it matches.
    expect(await small.memory.search.text({ text: 'timeout', limit: 20 })).toHaveLength(started.length + 1);
  });
});
