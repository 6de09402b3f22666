import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;

async function run(domain: string, actions: string[], status: 'completed' | 'failed') {
  const episode = await store.memory.episodes.start({ taskType: 'debugging', domain });
  await store.memory.episodes.logSteps(
    episode.id,
    actions.map((action) => ({ action })),
  );
  await store.memory.episodes.complete(episode.id, { status });
}

beforeAll(async () => {
  store = await openTempMemory({ miners: [createActionPairMiner()] });
  // A domain where every run succeeds with the same 61 steps: 60 patterns of a high score, none
  // of which beats the rest of its domain (every run shows them all).
  const steps = Array.from({ length: 61 }, (_, i) => `step_${i}`);
  for (let i = 0; i < 20; i += 1) await run('saturated', steps, 'completed');
  // A domain where one pattern clearly beats the rest: 5 runs with it succeed, 5 without fail.
  for (let i = 0; i < 10; i += 1)
    await run(
      'ops',
      ['look_up', i % 2 === 0 ? 'magic_fix' : `flail_${i}`],
      i % 2 === 0 ? 'completed' : 'failed',
    );
  await store.memory.learning.flush();
});
afterAll(() => store.close());

it('finds a pattern that beats its domain whatever the other domains in scope hold, at any limit', async () => {
  const summaries = (hits: Awaited<ReturnType<typeof store.memory.patterns.relevant>>) =>
    hits.map((hit) => `${hit.pattern.domain}: ${hit.pattern.summary}`);
  const inOps = summaries(await store.memory.patterns.relevant({ domain: 'ops' }));
  expect(inOps).toEqual(['ops: look_up then magic_fix']);
  // The evidence pool was the 50 highest raw scores of every domain: all of the saturated
  // domain's, none of which is admitted, so the answer was empty.
  expect(summaries(await store.memory.patterns.relevant({}))).toEqual(inOps);
  expect(summaries(await store.memory.patterns.relevant({ limit: 3 }))).toEqual(inOps);
  const scoped = await store.memory.patterns.relevant({}, { scope: { domains: ['saturated', 'ops'] } });
  expect(summaries(scoped)).toEqual(inOps);
  expect(summaries((await store.memory.search.retrieve({ text: 'deploy', patterns: 5 })).patterns)).toEqual(
    inOps,
  );
});
