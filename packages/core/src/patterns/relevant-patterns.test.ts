import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import type { PatternMinerV1 } from '../mining/pattern-miner.js';
import { relevanceWeights } from './relevant-patterns.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
const ids: Record<string, string[]> = {};

async function run(
  key: string,
  taskType: string,
  actions: string[],
  status: 'completed' | 'failed' = 'completed',
) {
  const episode = await store.memory.episodes.start({ taskType, domain: 'web' });
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
  for (let i = 0; i < 8; i += 1)
    await run('deploy', 'debugging', ['build_image', 'push_image'], i < 7 ? 'completed' : 'failed');
  for (let i = 0; i < 3; i += 1) await run('migrate', 'debugging', ['backup_database', 'run_migration']);
  for (let i = 0; i < 4; i += 1) await run('docs', 'documentation', ['read_file', 'write_docs']);
  await run('once', 'debugging', ['flaky_step', 'retry_step']);
});
afterAll(() => store.close());

describe('relevantPatterns', () => {
  it('ranks by evidence without text or task type, leaving out patterns seen only once', async () => {
    const hits = await store.memory.patterns.relevant({});
    expect(hits.map((hit) => hit.pattern.summary)).toEqual([
      'build_image then push_image',
      'read_file then write_docs',
      'backup_database then run_migration',
    ]);
    expect(hits[0]?.why).toEqual({
      evidence: relevanceWeights.evidence * hits[0]!.pattern.score,
      text: 0,
      taskType: 0,
    });
    expect(
      (await store.memory.patterns.relevant({ minSupport: 1 })).map((hit) => hit.pattern.summary),
    ).toContain('flaky_step then retry_step');
  });

  it('prefers what the task text mentions and leaves out patterns of another task type', async () => {
    const hits = await store.memory.patterns.relevant({
      text: 'the database migration failed',
      taskType: 'debugging',
    });
    expect(hits[0]?.pattern.summary).toBe('backup_database then run_migration');
    expect(hits[0]?.why.text).toBeCloseTo(relevanceWeights.text);
    expect(hits[0]?.why.taskType).toBe(relevanceWeights.taskType);
    expect(hits.map((hit) => hit.pattern.taskType)).toEqual(hits.map(() => 'debugging'));
  });

  it('returns the supporting episodes newest first (capped), the counts and the lift over the base rate', async () => {
    const [hit] = await store.memory.patterns.relevant({ text: 'push image', episodesPerPattern: 3 });
    expect(hit?.pattern).toMatchObject({ support: 8, successes: 7, successRate: 7 / 8 });
    expect(hit?.episodeIds).toEqual(ids.deploy!.slice(-3).reverse());
    // debugging in web: 11 of 12 succeeded; the pattern: 7 of 8
    expect(hit?.lift).toBeCloseTo(7 / 8 / (11 / 12));
  });

  it('filters by type and domain, and validates its input', async () => {
    expect(await store.memory.patterns.relevant({ types: ['error_resolution'] })).toEqual([]);
    expect(await store.memory.patterns.relevant({ domain: 'elsewhere' })).toEqual([]);
    await expect(
      store.memory.patterns.relevant({ limit: 0, taskType: 'nope' } as never),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'taskType' }, { path: 'limit' }],
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
  const summaries = async (memory: Awaited<ReturnType<typeof fill>>, type: string) =>
    (await memory.patterns.relevant({ types: [type], taskType: 'debugging' }))
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
    expect(await strict.patterns.list({ type: 'action_pair' })).toHaveLength(4);
  });

  it('reports every pattern seen often enough when the miner sets no share', async () => {
    const lenient = await fill([
      createActionPairMiner(),
      { ...firstActionMiner(), minSuccessShare: undefined },
    ]);
    expect(await summaries(lenient, 'action_pair')).toEqual([
      'bisect then fix_code',
      'fix_code then run_tests',
      'guess then retry',
      'read_logs then fix_code',
    ]);
    expect(await summaries(lenient, 'first_action')).toEqual(['bisect', 'guess', 'read_logs']);
  });
});
