import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
const episodes: string[] = [];

beforeEach(async () => {
  store = await openTempMemory({ miners: [createActionPairMiner()] });
  episodes.length = 0;
  // a→b: 2 of 2 successful; c→d: 5 of 6
  for (const [pair, status] of [
    [['a', 'b'], 'completed'],
    [['a', 'b'], 'completed'],
    [['c', 'd'], 'completed'],
    [['c', 'd'], 'completed'],
    [['c', 'd'], 'completed'],
    [['c', 'd'], 'completed'],
    [['c', 'd'], 'completed'],
    [['c', 'd'], 'failed'],
  ] as const) {
    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await store.memory.episodes.logSteps(
      episode.id,
      pair.map((action) => ({ action })),
    );
    await store.memory.episodes.complete(episode.id, { status });
    await store.memory.learning.flush();
    episodes.push(episode.id);
  }
});
afterEach(() => store.close());

const byData = async (first: string) =>
  (await store.memory.patterns.list({ type: 'action_pair' })).items.find(
    (p) => (p.patternData as { first: string }).first === first,
  )!;

describe('recordPatternUsage', () => {
  it('updates usage_count, last_used and the helped count, and ranking follows the feedback', async () => {
    const ab = await byData('a');
    const cd = await byData('c');
    const ranked = async () =>
      (await store.memory.patterns.relevant({ limit: 2, minEvidence: 0 })).map((hit) => hit.pattern.id);
    expect(await ranked()).toEqual([cd.id, ab.id]); // 5/6 over 2/2: the Wilson bound favours more evidence

    let updated = await store.memory.patterns.recordUsage(ab.id, { episodeId: episodes[0]!, helped: true });
    expect(updated).toMatchObject({ usageCount: 1, helpedCount: 1 });
    expect(Date.parse(updated.lastUsed!)).toBeGreaterThan(Date.now() - 60_000);
    updated = await store.memory.patterns.recordUsage(ab.id, { episodeId: episodes[1]!, helped: true });
    expect(updated.score).toBeGreaterThan(ab.score);
    expect(await ranked()).toEqual([ab.id, cd.id]);

    for (const episodeId of episodes.slice(0, 4))
      await store.memory.patterns.recordUsage(cd.id, { episodeId, helped: false });
    expect((await store.memory.patterns.get(cd.id))?.score).toBeLessThan(cd.score);
  });

  it('counts each episode once per pattern: recording again replaces its verdict', async () => {
    const ab = await byData('a');
    await store.memory.patterns.recordUsage(ab.id, { episodeId: episodes[0]!, helped: true });
    const again = await store.memory.patterns.recordUsage(ab.id, { episodeId: episodes[0]!, helped: false });
    expect(again).toMatchObject({ usageCount: 1, helpedCount: 0 });
  });

  it('refuses unknown patterns and episodes, and bad input, with field paths', async () => {
    const ab = await byData('a');
    await expect(
      store.memory.patterns.recordUsage('nope', { episodeId: episodes[0]!, helped: true }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      store.memory.patterns.recordUsage(ab.id, {
        episodeId: '00000000-0000-7000-8000-000000000000',
        helped: true,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      store.memory.patterns.recordUsage(ab.id, { episodeId: 'x', helped: 'yes' } as never),
    ).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'episodeId' }, { path: 'helped' }] });
    expect((await store.memory.patterns.get(ab.id))?.usageCount).toBe(0);
  });

  it('no longer counts a verdict once the episode that gave it is forgotten, nor ranks by it', async () => {
    const ab = await byData('a');
    // An episode that used a→b and shows no pattern itself: its verdict is the pattern's only usage.
    const user = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await store.memory.episodes.logSteps(user.id, [{ action: 'search' }]);
    await store.memory.episodes.complete(user.id, { status: 'completed' });
    await store.memory.learning.flush();
    const used = await store.memory.patterns.recordUsage(ab.id, { episodeId: user.id, helped: true });
    expect(used).toMatchObject({ usageCount: 1, helpedCount: 1 });
    expect(used.score).toBeGreaterThan(ab.score);

    await store.memory.admin.forget({ episodeIds: [user.id] });
    const after = await store.memory.patterns.get(ab.id);
    expect(after).toMatchObject({ usageCount: 0, helpedCount: 0, lastUsed: null, score: ab.score });
  });
});
