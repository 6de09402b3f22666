import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory({ miners: [createActionPairMiner()] });
});
afterEach(() => store.close());

async function record(
  domain: string,
  actions: string[],
  status: 'completed' | 'failed' = 'completed',
  context = 'flaky checkout test times out',
) {
  const episode = await store.memory.episodes.start({ taskType: 'debugging', domain, context });
  await store.memory.episodes.logSteps(
    episode.id,
    actions.map((action) => ({ action })),
  );
  await store.memory.episodes.complete(episode.id, { status });
  await store.memory.learning.flush();
  return episode.id;
}

describe('retrieve returns the patterns relevant to the task', () => {
  it('ranks the domain’s mined patterns beside the episodes, with their supporting episodes and counts', async () => {
    // Six of six against a base rate of six of eight: enough to surely beat it (relevantPatterns' lift floor).
    const fixed: string[] = [];
    for (let i = 0; i < 6; i += 1) fixed.push(await record('shop', ['run_tests', 'increase_timeout']));
    await record('shop', ['deploy', 'rollback'], 'failed');
    await record('shop', ['deploy', 'rollback'], 'failed');
    await record('other', ['run_tests', 'increase_timeout']);
    await record('other', ['run_tests', 'increase_timeout']);

    const result = await store.memory.search.retrieve({
      text: 'checkout test times out',
      domain: 'shop',
      taskType: 'debugging',
    });
    expect(result.episodes.length).toBeGreaterThan(0);
    const [best] = result.patterns;
    expect(best?.pattern).toMatchObject({
      domain: 'shop',
      patternData: { first: 'run_tests', then: 'increase_timeout' },
      support: 6,
    });
    expect(best?.episodeIds.length).toBeGreaterThan(0);
    expect(fixed).toEqual(expect.arrayContaining(best?.episodeIds ?? ['none']));
    expect(result.patterns.every((hit) => hit.pattern.domain === 'shop')).toBe(true);
  });

  it('never returns another domain’s patterns to a scoped caller, and none when asked for none', async () => {
    for (let i = 0; i < 6; i += 1) await record('other', ['run_tests', 'increase_timeout']);
    await record('other', ['deploy', 'rollback'], 'failed');
    await record('other', ['deploy', 'rollback'], 'failed');
    const scoped = await store.memory.search.retrieve(
      { text: 'checkout test' },
      { scope: { domains: ['shop'] } },
    );
    expect(scoped.patterns).toEqual([]);
    expect((await store.memory.search.retrieve({ text: 'checkout test' })).patterns.length).toBeGreaterThan(
      0,
    );
    expect((await store.memory.search.retrieve({ text: 'checkout test', patterns: 0 })).patterns).toEqual([]);
  });

  it('without a domain, takes the patterns of the best episode’s domain, and lists no excluded episode', async () => {
    // Two domains with a recipe each that surely beats its base rate; the task is about one of them.
    const shop: string[] = [];
    for (let i = 0; i < 6; i += 1) shop.push(await record('shop', ['run_tests', 'increase_timeout']));
    for (let i = 0; i < 2; i += 1) await record('shop', ['deploy', 'rollback'], 'failed');
    for (let i = 0; i < 6; i += 1)
      await record('billing', ['read_invoice', 'fix_rounding'], 'completed', 'invoice totals off by a cent');
    for (let i = 0; i < 2; i += 1)
      await record('billing', ['deploy', 'rollback'], 'failed', 'invoice totals off by a cent');

    const result = await store.memory.search.retrieve({ text: 'checkout test times out' });
    expect(result.episodes[0]?.episode.domain).toBe('shop');
    // Before, the best patterns of every domain came: billing's recipe for a checkout task.
    expect(result.patterns.length).toBeGreaterThan(0);
    expect(result.patterns.every((hit) => hit.pattern.domain === 'shop')).toBe(true);

    // The asking run is not cited as a pattern's evidence.
    const asking = shop[5] as string; // the newest: a pattern lists its newest supporting episodes
    const excluded = await store.memory.search.retrieve({
      text: 'checkout test times out',
      exclude: [asking],
    });
    expect(excluded.patterns.length).toBeGreaterThan(0);
    expect(excluded.patterns.flatMap((hit) => hit.episodeIds)).not.toContain(asking);
    expect(result.patterns.flatMap((hit) => hit.episodeIds)).toContain(asking);
  });
});
