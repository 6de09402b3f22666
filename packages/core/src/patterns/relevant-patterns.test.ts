import type { PatternMinerV1 } from '@episodic/plugin';
import { wilsonLowerBound } from '@episodic/plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { beatsRest } from './beats-rest.js';
import { relevanceWeights } from './relevant-patterns.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
const ids: Record<string, string[]> = {};

async function run(
  key: string,
  taskType: string,
  actions: string[],
  status: 'completed' | 'failed' = 'completed',
  domain = 'web',
) {
  const episode = await store.memory.episodes.start({ taskType, domain });
  await store.memory.episodes.logSteps(
    episode.id,
    actions.map((action) => ({ action })),
  );
  await store.memory.episodes.complete(episode.id, { status });
  await store.memory.learning.flush();
  (ids[key] ??= []).push(episode.id);
}

beforeAll(async () => {
  store = await openTempMemory({ miners: [createActionPairMiner()] });
  // debugging in web: 24 runs, 15 successes (base rate 0.625)
  for (let i = 0; i < 12; i += 1) await run('deploy', 'debugging', ['build_image', 'push_image']);
  for (let i = 0; i < 10; i += 1)
    await run('guess', 'debugging', ['guess_fix', 'retry_step'], i < 2 ? 'completed' : 'failed');
  await run('once', 'debugging', ['flaky_step', 'retry_step']);
  await run('once', 'debugging', ['backup_database', 'run_migration'], 'failed');
  for (let i = 0; i < 4; i += 1) await run('docs', 'documentation', ['read_file', 'write_docs']);
});
afterAll(() => store.close());

describe('relevantPatterns', () => {
  it('ranks by how surely a pattern beats its base rate, and leaves out what does not', async () => {
    const hits = await store.memory.patterns.relevant({ taskType: 'debugging' });
    expect(hits.map((hit) => hit.pattern.summary)).toEqual(['build_image then push_image']);
    const [hit] = hits;
    // 12 of 12 against a base rate of 15 of 24
    expect(hit?.lift).toBeCloseTo(1 / (15 / 24));
    expect(hit?.liftLower).toBeCloseTo(wilsonLowerBound(12, 12) / (15 / 24));
    expect(hit?.liftLower).toBeGreaterThan(1);
    expect(hit?.why.evidence).toBeCloseTo(
      relevanceWeights.evidence * (hit!.liftLower! / (1 + hit!.liftLower!)),
    );
    // guess → retry (2 of 10) and the one-off flaky → retry (1 of 1) do not beat the other runs.
    const everything = await store.memory.patterns.relevant({
      taskType: 'debugging',
      minEvidence: 0,
      minSupport: 1,
    });
    expect(everything.map((hit) => hit.pattern.summary)).toEqual([
      'build_image then push_image',
      'flaky_step then retry_step',
      'guess_fix then retry_step',
    ]);
  });

  it('returns a pattern the text names even when its evidence is weak, and nothing for a weak text match', async () => {
    const named = await store.memory.patterns.relevant({ text: 'a guess fix', taskType: 'debugging' });
    expect(named.map((hit) => hit.pattern.summary)).toEqual([
      'guess_fix then retry_step',
      'build_image then push_image',
    ]);
    expect(named[0]?.why.text).toBeGreaterThan(0);
    const weak = await store.memory.patterns.relevant({
      text: 'The release notes mention that a retry is possible when the image registry is slow, among many other things',
      types: ['action_pair'],
      domain: 'web',
      taskType: 'documentation',
    });
    expect(weak.map((hit) => hit.why.text)).toEqual(weak.map(() => 0));
  });

  it('gives different tasks different patterns', async () => {
    const top = async (text: string) =>
      (await store.memory.patterns.relevant({ text, minLift: 100, minSupport: 1 })).map(
        (hit) => hit.pattern.summary,
      );
    expect(await top('backup database then run migration')).toEqual(['backup_database then run_migration']);
    expect(await top('read file, write docs')).toEqual(['read_file then write_docs']);
  });

  it('returns the supporting episodes newest first (capped)', async () => {
    const [hit] = await store.memory.patterns.relevant({
      text: 'build image, push image',
      episodesPerPattern: 3,
    });
    expect(hit?.pattern).toMatchObject({ support: 12, successes: 12, successRate: 1 });
    expect(hit?.episodeIds).toEqual(ids.deploy!.slice(-3).reverse());
  });

  it("returns the newest supporting episodes by the episodes' own dates, not their ids", async () => {
    // An agent's history imported newest first: the store's ids grow as the dates go back.
    const byMonth = new Map<number, string>();
    for (const month of [6, 5, 4, 3, 2, 1]) {
      const episode = await store.memory.episodes.start({
        taskType: 'analysis',
        domain: 'history',
        createdAt: `2025-0${month}-15T10:00:00.000Z`,
      });
      await store.memory.episodes.logSteps(episode.id, [{ action: 'fetch_log' }, { action: 'parse_log' }]);
      await store.memory.episodes.complete(episode.id, { status: 'completed' });
      byMonth.set(month, episode.id);
    }
    await store.memory.learning.flush();
    const [hit] = await store.memory.patterns.relevant({
      text: 'fetch log, parse log',
      domain: 'history',
      episodesPerPattern: 3,
    });
    expect(hit?.episodeIds).toEqual([6, 5, 4].map((month) => byMonth.get(month)));
  });

  it('returns what beats the rest of a small scope, and nothing every run shows', async () => {
    // cli: 4 runs open → read → patch, all succeeded; 2 runs open → read → give up, both failed.
    for (let i = 0; i < 4; i += 1)
      await run('cli', 'debugging', ['open_issue', 'read_trace', 'patch_code'], 'completed', 'cli');
    for (let i = 0; i < 2; i += 1)
      await run('cli', 'debugging', ['open_issue', 'read_trace', 'give_up'], 'failed', 'cli');
    const hits = await store.memory.patterns.relevant({ domain: 'cli', taskType: 'debugging' });
    expect(hits.map((hit) => hit.pattern.summary)).toEqual(['read_trace then patch_code']);
    // No bound on four runs is tight: a floor on the lower lift would have returned nothing.
    expect(hits[0]?.liftLower).toBeCloseTo(wilsonLowerBound(4, 4) / (4 / 6));
    expect(hits[0]?.liftLower).toBeLessThan(0.8);
    expect(
      beatsRest({ support: 4, successes: 4, usageCount: 0, helpedCount: 0 }, { successes: 4, episodes: 6 }),
    ).toBeGreaterThan(0.95);
    // open → read is in every run: it says nothing about success, whatever the floor.
    const shownByAll = { support: 6, successes: 4, usageCount: 0, helpedCount: 0 };
    expect(beatsRest(shownByAll, { successes: 4, episodes: 6 })).toBeCloseTo(0.5);
    const all = await store.memory.patterns.relevant({ domain: 'cli', minEvidence: 0 });
    expect(all.map((hit) => hit.pattern.summary)).toContain('open_issue then read_trace');
  });

  it('filters by type and domain, and validates its input', async () => {
    expect(await store.memory.patterns.relevant({ types: ['error_resolution'] })).toEqual([]);
    expect(await store.memory.patterns.relevant({ domain: 'elsewhere' })).toEqual([]);
    await expect(
      store.memory.patterns.relevant({ limit: 0, taskType: 'nope', minTextMatch: 2 } as never),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'taskType' }, { path: 'limit' }, { path: 'minTextMatch' }],
    });
  });
});

describe('relevantPatterns with a miner that sets minSuccessShare', () => {
  /** Domain-wide: the first action of each episode, so the share is over the domain's successes. */
  const firstActionMiner = (): PatternMinerV1<{ first: string }> => ({
    specificationVersion: 'v1',
    patternType: 'first_action',
    dataSchema: z.strictObject({ first: z.string() }),
    minSuccessShare: 0.5,
    mine: ({ episode, succeeded }) =>
      episode.steps[0] === undefined
        ? []
        : [{ data: { first: episode.steps[0].action }, success: succeeded }],
  });
  const stores: Awaited<ReturnType<typeof openTempMemory>>[] = [];
  afterAll(async () => {
    for (const opened of stores) await opened.close();
  });

  /** Six successful debugging runs and two failed ones, the same in every store. */
  async function fill(miners: PatternMinerV1[]) {
    const opened = await openTempMemory({ miners });
    stores.push(opened);
    const runs: [string[], 'completed' | 'failed'][] = [
      [['read_logs', 'fix_code', 'run_tests'], 'completed'],
      [['read_logs', 'fix_code', 'run_tests'], 'completed'],
      [['read_logs', 'fix_code', 'run_tests'], 'completed'],
      [['read_logs', 'fix_code'], 'completed'],
      [['bisect', 'fix_code'], 'completed'],
      [['bisect', 'fix_code'], 'completed'],
      [['guess', 'retry'], 'failed'],
      [['guess', 'retry'], 'failed'],
    ];
    for (const [actions, status] of runs) {
      const episode = await opened.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
      await opened.memory.episodes.logSteps(
        episode.id,
        actions.map((action) => ({ action })),
      );
      await opened.memory.episodes.complete(episode.id, { status });
      await opened.memory.learning.flush();
    }
    return opened.memory;
  }
  // minLift 0: every pattern with evidence of success, so the share is what filters.
  const summaries = async (memory: Awaited<ReturnType<typeof fill>>, type: string) =>
    (await memory.patterns.relevant({ types: [type], taskType: 'debugging', minLift: 0 }))
      .map((hit) => hit.pattern.summary)
      .sort();

  it('reports only what at least that share of the successful runs show, per task type and domain-wide', async () => {
    const strict = await fill([{ ...createActionPairMiner(), minSuccessShare: 0.5 }, firstActionMiner()]);
    // Of 6 successes: read_logs→fix_code 4, fix_code→run_tests 3, bisect→fix_code 2, guess→retry 0.
    expect(await summaries(strict, 'action_pair')).toEqual([
      'fix_code then run_tests',
      'read_logs then fix_code',
    ]);
    expect(await summaries(strict, 'first_action')).toEqual(['read_logs']);
    // Every pattern is still stored and listed.
    expect((await strict.patterns.list({ type: 'action_pair' })).items).toHaveLength(4);
  });

  it('reports every pattern seen often enough with some success when the miner sets no share', async () => {
    const lenient = await fill([
      createActionPairMiner(),
      { ...firstActionMiner(), minSuccessShare: undefined },
    ]);
    expect(await summaries(lenient, 'action_pair')).toEqual([
      'bisect then fix_code',
      'fix_code then run_tests',
      'read_logs then fix_code',
    ]);
    expect(await summaries(lenient, 'first_action')).toEqual(['bisect', 'read_logs']);
  });
});

describe('relevantPatterns with a miner that groups variants of one recipe', () => {
  /**
   * Consecutive pairs where a run of one action is `search×2+` and also the bare `search`, as the
   * tool-sequence miner reads runs: `search search answer` shows `search×2+ → answer` and
   * `search → answer`, one recipe at two levels of detail.
   */
  const runPairMiner = (): PatternMinerV1<{ actions: string[] }> => ({
    specificationVersion: 'v1',
    patternType: 'run_pair',
    dataSchema: z.strictObject({ actions: z.array(z.string()) }),
    describe: (data) => data.actions.join(' → '),
    variantKey: (data) => JSON.stringify(data.actions.map((action) => action.replace(/×2\+$/, ''))),
    mine({ episode, succeeded }) {
      const runs: string[][] = [];
      for (const { action } of episode.steps) {
        const last = runs.at(-1);
        if (last?.[0] === action) last.splice(0, last.length, `${action}×2+`, action);
        else runs.push([action]);
      }
      const seen = new Map<string, string[]>();
      for (let i = 1; i < runs.length; i += 1)
        for (const first of runs[i - 1]!)
          for (const then of runs[i]!) seen.set(`${first} ${then}`, [first, then]);
      return [...seen.values()].map((actions) => ({
        data: { actions },
        success: succeeded,
        perTaskType: true,
      }));
    },
  });
  let grouped: Awaited<ReturnType<typeof openTempMemory>>;
  beforeAll(async () => {
    grouped = await openTempMemory({ miners: [runPairMiner(), createActionPairMiner()] });
    const runs: [string[], number, 'completed' | 'failed'][] = [
      [['search', 'search', 'answer'], 8, 'completed'],
      [['search', 'answer'], 1, 'failed'],
      [['lookup', 'cite'], 3, 'completed'],
      [['guess', 'answer'], 10, 'failed'],
    ];
    for (const [actions, times, status] of runs)
      for (let i = 0; i < times; i += 1) {
        const episode = await grouped.memory.episodes.start({ taskType: 'analysis', domain: 'web' });
        await grouped.memory.episodes.logSteps(
          episode.id,
          actions.map((action) => ({ action })),
        );
        await grouped.memory.episodes.complete(episode.id, { status });
      }
    await grouped.memory.learning.flush();
  });
  afterAll(() => grouped.close());
  const summaries = async (input: { limit?: number; groupVariants?: boolean }) =>
    (await grouped.memory.patterns.relevant({ types: ['run_pair'], taskType: 'analysis', ...input })).map(
      (hit) => `${hit.pattern.summary} ${hit.pattern.successes}/${hit.pattern.support}`,
    );

  it('ranks every variant by its own evidence when asked to', async () => {
    // 11 successes in 22 runs: all three beat the rest, the repeated search most surely.
    expect(await summaries({ groupVariants: false })).toEqual([
      'search×2+ → answer 8/8',
      'search → answer 8/9',
      'lookup → cite 3/3',
    ]);
  });

  it('returns different recipes first, each as its variant with the most support', async () => {
    expect(await summaries({ limit: 2 })).toEqual(['search → answer 8/9', 'lookup → cite 3/3']);
    // A variant still fills a slot that no other recipe would.
    expect(await summaries({})).toEqual([
      'search → answer 8/9',
      'lookup → cite 3/3',
      'search×2+ → answer 8/8',
    ]);
  });

  it('leaves the patterns of a miner that groups none in rank order', async () => {
    const pairs = await grouped.memory.patterns.relevant({
      types: ['action_pair'],
      taskType: 'analysis',
      limit: 2,
    });
    expect(pairs.map((hit) => hit.pattern.summary)).toEqual(['search then search', 'search then answer']);
  });
});
