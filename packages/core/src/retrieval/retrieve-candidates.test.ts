import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import type { Memory } from '../open-memory.js';

type Store = Awaited<ReturnType<typeof openTempMemory>>;

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A store with few candidates per signal, so that a signal losing some shows in the results. */
async function open(candidates: number, kind?: 'lexical' | 'semantic'): Promise<Memory> {
  const provider = createTestEmbeddings({ dimensions: 256 }).provider;
  store = await openTempMemory({
    embeddings: kind === undefined ? provider : { ...provider, kind },
    retrieval: { candidates },
  });
  return store.memory;
}

async function record(
  memory: Memory,
  domain: string,
  context: string,
  steps: { action: string; result: string; success: boolean }[] = [],
): Promise<string> {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain, context });
  if (steps.length > 0) await memory.episodes.logSteps(episode.id, steps);
  await memory.episodes.complete(episode.id, { status: 'completed' });
  await memory.learning.flush();
  return episode.id;
}

const withVector = (result: Awaited<ReturnType<Memory['search']['retrieve']>>) =>
  result.episodes.filter((entry) => entry.why.vector !== null).map((entry) => entry.episode.id);

describe('retrieve candidates', () => {
  it('fills the vector candidates with live episodes when most of the best matches are archived', async () => {
    const memory = await open(2);
    for (let i = 0; i < 6; i += 1) {
      const id = await record(memory, 'ops', `kubernetes pod eviction storm ${i}`);
      await memory.episodes.archive(id);
    }
    const live = [
      await record(memory, 'ops', 'kubernetes pod eviction after a node drain'),
      await record(memory, 'ops', 'kubernetes pod eviction during an upgrade'),
    ];
    const result = await memory.search.retrieve({ text: 'kubernetes pod eviction storm', limit: 2 });
    expect(withVector(result).sort()).toEqual([...live].sort());
  });

  it('finds `limit` distinct episodes by vector even when one episode has many matching failed steps', async () => {
    const memory = await open(3);
    const failures = Array.from({ length: 10 }, (_, i) => ({
      action: `write_file part${i}`,
      result: 'OSError: disk quota exceeded on /var/data',
      success: false,
    }));
    const noisy = await record(memory, 'ops', 'batch export job', failures);
    const others = [
      await record(memory, 'ops', 'disk quota exceeded on the build cache'),
      await record(memory, 'ops', 'quota exceeded for the data volume'),
    ];
    const result = await memory.search.retrieve({
      text: 'OSError: disk quota exceeded on /var/data',
      limit: 3,
    });
    expect(withVector(result).sort()).toEqual([noisy, ...others].sort());
  });

  it.each([
    ['lexical', 0.2],
    ['semantic', 1.5],
    [undefined, 1.5],
  ] as const)('weighs the vectors of a %s provider by its kind (%d at rank 1)', async (kind, weight) => {
    const memory = await open(10, kind);
    await record(memory, 'ops', 'kubernetes pod eviction storm');
    const result = await memory.search.retrieve({ text: 'kubernetes pod eviction storm' });
    expect(result.episodes[0]?.why.vector?.contribution).toBeCloseTo(weight, 10);
  });

  it('refuses a provider that declares an unknown kind', async () => {
    const provider = { ...createTestEmbeddings().provider, kind: 'neural' };
    await expect(openTempMemory({ embeddings: provider as never })).rejects.toThrow(/kind/);
  });

  it('never tells a scoped caller which of its words are common in other domains', async () => {
    store = await openTempMemory({ retrieval: { textBudgetRows: 5 } });
    const { memory } = store;
    for (let i = 0; i < 10; i += 1) await record(memory, 'secret', `merger negotiations round ${i}`);
    await record(memory, 'public', 'merger of two config files');
    const unscoped = await memory.search.retrieve({ text: 'merger config' });
    expect(unscoped.signals.text.skipped).toEqual(['merger']);
    const scoped = await memory.search.retrieve(
      { text: 'merger config' },
      { scope: { domains: ['public'] } },
    );
    expect(scoped.signals.text.skipped).toEqual([]);
    expect(scoped.episodes.map((entry) => entry.episode.domain)).toEqual(['public']);
  });
});
