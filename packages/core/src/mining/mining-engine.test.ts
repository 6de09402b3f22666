import type { PatternMinerV1, StandardSchemaV1 } from '@episodic/plugin';
import { wilsonLowerBound } from '@episodic/plugin';
import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { Logger } from '../logger.js';
import type { StepInput } from '../schemas/input-schemas.js';
import { createActionPairMiner, createHistoryProbeMiner } from './__fixtures__/test-miners.js';
import { patternId } from './pattern-id.js';

type Store = Awaited<ReturnType<typeof openTempMemory>>;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(
  config: Parameters<typeof openTempMemory>[0] = {},
): Promise<{ store: Store; raw: Client }> {
  const store = await openTempMemory({
    miners: [createActionPairMiner(), createHistoryProbeMiner()],
    ...config,
  });
  const raw = createClient({ url: store.url, intMode: 'number' });
  cleanups.push(
    () => store.close(),
    () => raw.close(),
  );
  return { store, raw };
}

const read = (action: string, success = true): StepInput => ({ action, success, durationMs: 100 });

async function run(
  store: Store,
  steps: StepInput[],
  status: 'completed' | 'failed' = 'completed',
  domain = 'web',
  taskType = 'debugging',
) {
  const episode = await store.memory.episodes.start({ taskType, domain });
  if (steps.length > 0) await store.memory.episodes.logSteps(episode.id, steps);
  await store.memory.episodes.complete(episode.id, { status });
  await store.memory.learning.flush();
  return episode.id;
}

const pairId = (first: string, then: string, domain = 'web', taskType = 'debugging') =>
  patternId({ patternType: 'action_pair', domain, taskType, data: { first, then } });

describe('mining on completion', () => {
  it('stores each pattern once, under a hash of its type, domain, task type and canonical data', async () => {
    const { store, raw } = await open();
    const episodeId = await run(store, [read('read_file a.ts'), read('edit_file a.ts'), read('run_tests')]);
    const id = pairId('read_file', 'edit_file');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // key order in the data does not change the identity
    expect(
      patternId({
        patternType: 'action_pair',
        domain: 'web',
        taskType: 'debugging',
        data: { then: 'edit_file', first: 'read_file' },
      }),
    ).toBe(id);
    expect(await store.memory.patterns.get(id)).toMatchObject({
      patternType: 'action_pair',
      domain: 'web',
      taskType: 'debugging',
      patternData: { first: 'read_file', then: 'edit_file' },
      summary: 'read_file then edit_file',
      support: 1,
      successes: 1,
      successRate: 1,
      wilsonLower: wilsonLowerBound(1, 1),
    });
    const links = await raw.execute({
      sql: 'SELECT pattern_id FROM episode_patterns WHERE episode_id = ? ORDER BY pattern_id',
      args: [episodeId],
    });
    expect(links.rows.map((row) => row.pattern_id)).toEqual(
      [
        id,
        pairId('edit_file', 'run_tests'),
        patternId({ patternType: 'history_probe', domain: 'web', taskType: null, data: { probe: 'run' } }),
      ].sort(),
    );
  });

  it('accumulates evidence in the same row when the pattern is seen again', async () => {
    const { store, raw } = await open();
    await run(store, [read('read_file'), read('edit_file')], 'completed');
    await run(store, [read('read_file x'), read('edit_file y'), read('edit_file z')], 'failed');
    const id = pairId('read_file', 'edit_file');
    const pattern = await store.memory.patterns.get(id);
    expect(pattern).toMatchObject({
      support: 2,
      successes: 1,
      successRate: 0.5,
      wilsonLower: wilsonLowerBound(1, 2),
    });
    expect(pattern?.measurements.steps).toEqual({ count: 2, sum: 5, min: 2, max: 3, mean: 2.5 });
    const rows = await raw.execute("SELECT COUNT(*) AS n FROM patterns WHERE pattern_type = 'action_pair'");
    expect(rows.rows[0]?.n).toBe(2); // read→edit (once, not twice) and edit→edit
    expect(
      (
        await raw.execute({
          sql: 'SELECT COUNT(*) AS n FROM episode_patterns WHERE pattern_id = ?',
          args: [id],
        })
      ).rows[0]?.n,
    ).toBe(2);
  });

  it('shows each miner the baselines of the episodes mined before, never the current one', async () => {
    const { store } = await open();
    await run(store, [read('a'), read('b')], 'completed', 'web', 'debugging');
    await run(store, [read('a'), read('b'), read('c'), read('d')], 'failed', 'web', 'testing');
    await run(store, [read('a'), read('b'), read('c')], 'completed', 'web', 'debugging');
    await run(store, [read('a')], 'completed', 'other', 'debugging');
    const probe = (domain: string) =>
      patternId({ patternType: 'history_probe', domain, taskType: null, data: { probe: 'run' } });
    const web = await store.memory.patterns.get(probe('web'));
    // the three web episodes saw 0, 1 and 2 domain episodes before them; 0 and 1 successes
    expect(web?.measurements.domainEpisodesBefore).toMatchObject({ count: 3, sum: 3, min: 0, max: 2 });
    expect(web?.measurements.domainSuccessesBefore).toMatchObject({ sum: 2, max: 1 });
    // debugging saw no debugging episode, then one (of 2 steps); testing saw none
    expect(web?.measurements.taskEpisodesBefore).toMatchObject({ sum: 1, max: 1 });
    expect(web?.measurements.taskMedianStepsBefore).toMatchObject({ min: -1, max: 2 });
    // another domain's history is its own
    expect(
      (await store.memory.patterns.get(probe('other')))?.measurements.domainEpisodesBefore,
    ).toMatchObject({
      max: 0,
    });
  });

  it('writes nothing for an episode when one of its writes fails: one transaction per episode', async () => {
    const warnings: string[] = [];
    const logger: Logger = { warn: (message) => warnings.push(message) };
    const { store, raw } = await open({ logger, learning: { maxAttempts: 1 } });
    await raw.execute(`CREATE TRIGGER refuse_doomed BEFORE INSERT ON mined_episodes
      WHEN (SELECT domain FROM episodes WHERE id = new.episode_id) = 'doomed'
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const episodeId = await run(store, [read('read_file'), read('edit_file')], 'completed', 'doomed');
    expect(warnings.join('\n')).toContain('refused by the test');
    expect((await store.memory.episodes.get(episodeId))?.status).toBe('completed');
    expect(await store.memory.learning.status()).toMatchObject({ failed: 1 });
    for (const sql of [
      "SELECT COUNT(*) AS n FROM patterns WHERE domain = 'doomed'",
      "SELECT COUNT(*) AS n FROM pattern_baselines WHERE domain = 'doomed'",
      `SELECT COUNT(*) AS n FROM episode_patterns WHERE episode_id = '${episodeId}'`,
    ]) {
      expect((await raw.execute(sql)).rows[0]?.n, sql).toBe(0);
    }
  });

  it('reports a miner that throws or returns invalid data, and keeps the other miners’ patterns', async () => {
    const warnings: string[] = [];
    const broken: PatternMinerV1 = {
      ...createHistoryProbeMiner(),
      patternType: 'broken',
      mine: () => {
        throw new Error('boom');
      },
    };
    const sloppy: PatternMinerV1 = {
      ...createHistoryProbeMiner(),
      patternType: 'sloppy',
      mine: () => [
        { data: { probe: 42 }, success: true },
        { data: { probe: 'ok' }, success: true, measurements: { bad: Number.NaN } },
      ],
    };
    const { store } = await open({
      miners: [broken, sloppy, createActionPairMiner()],
      logger: { warn: (m) => warnings.push(m) },
    });
    await run(store, [read('a'), read('b')]);
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/broken failed .*boom/);
    expect(warnings.join('\n')).toMatch(/sloppy returned an invalid candidate #0/);
    expect(warnings.join('\n')).toMatch(/sloppy returned an invalid candidate #1 .*bad/);
    expect((await store.memory.patterns.list({ type: 'action_pair' })).items).toHaveLength(1);
    expect((await store.memory.patterns.list({ type: 'sloppy' })).items).toHaveLength(0);
  });

  it('gives every miner the episode as stored: one that writes to its input fails, reported, and the miners after it see the original', async () => {
    const warnings: string[] = [];
    const rewriter: PatternMinerV1 = {
      ...createHistoryProbeMiner(),
      patternType: 'rewriter',
      mine: ({ episode }) => {
        // Against the contract (the input is read-only): what a careless plugin does.
        (episode.steps as { action: string }[]).reverse();
        for (const step of episode.steps) (step as { action: string }).action = 'MUTATED';
        return [];
      },
    };
    const { store } = await open({
      miners: [rewriter, createActionPairMiner()],
      logger: { warn: (m) => warnings.push(m) },
    });
    await run(store, [read('read_file a.ts'), read('edit_file a.ts')]);
    expect(warnings.join('\n')).toMatch(
      /miner rewriter failed on episode .*read.only|miner rewriter failed on episode .*Cannot assign/u,
    );
    const pairs = (await store.memory.patterns.list({ type: 'action_pair' })).items;
    expect(pairs.map((pattern) => pattern.patternData)).toEqual([{ first: 'read_file', then: 'edit_file' }]);
  });

  it('validates candidates through any Standard Schema, async ones too, and stores the schema output', async () => {
    // No zod: a hand-written Standard Schema that lower-cases the tool and refuses an empty one.
    const dataSchema: StandardSchemaV1<unknown, { tool: string }> = {
      '~standard': {
        version: 1,
        vendor: 'hand-written',
        validate: async (value) => {
          const tool = (value as { tool?: unknown } | null)?.tool;
          return typeof tool === 'string' && tool !== ''
            ? { value: { tool: tool.toLowerCase() } }
            : { issues: [{ message: 'must be a non-empty string', path: ['tool'] }] };
        },
      },
    };
    const miner: PatternMinerV1<{ tool: string }> = {
      specificationVersion: 'v1',
      patternType: 'first_tool',
      dataSchema,
      mine: ({ episode, succeeded }) =>
        episode.steps.map((step) => ({
          data: { tool: step.action === 'noop' ? '' : step.action },
          success: succeeded,
        })),
    };
    const warnings: string[] = [];
    const logger: Logger = { warn: (message) => warnings.push(message) };
    const { store } = await open({ miners: [miner], logger });
    await run(store, [read('Deploy'), read('noop')]);
    const { items } = await store.memory.patterns.list({ type: 'first_tool' });
    expect(items.map((pattern) => pattern.patternData)).toEqual([{ tool: 'deploy' }]);
    expect(warnings.join('\n')).toMatch(
      /first_tool returned an invalid candidate #1 .*data\.tool: must be a non-empty string/,
    );
  });

  it('holds a miner to the history it declares reading: more is a failure, reported', async () => {
    const warnings: string[] = [];
    const probe = (patternType: string, history: PatternMinerV1['history']): PatternMinerV1 => ({
      ...createHistoryProbeMiner(),
      patternType,
      history,
    });
    const { store } = await open({
      miners: [probe('reads_none', 'none'), probe('reads_task', 'taskType'), probe('reads_all', 'domain')],
      logger: { warn: (m) => warnings.push(m) },
    });
    await run(store, [read('a'), read('b')]);
    expect(warnings.join('\n')).toMatch(
      /reads_none failed .*read history\.taskType but declares history: 'none'/,
    );
    expect(warnings.join('\n')).toMatch(
      /reads_task failed .*read history\.domain but declares history: 'taskType'/,
    );
    expect(warnings).toHaveLength(2);
    expect((await store.memory.patterns.list({ type: 'reads_all' })).items).toHaveLength(1);
  });

  it('registers a miner’s own pattern type, and refuses miners that break the contract', async () => {
    const { store } = await open();
    expect(store.memory.schemas.patternType.options).toContain('action_pair');
    const plain = await openTempMemory();
    cleanups.push(() => plain.close());
    await expect(plain.memory.patterns.list({ type: 'action_pair' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });

    const refusals: [unknown, string][] = [
      [[{ ...createActionPairMiner(), specificationVersion: 'v0' }], 'miners.0.specificationVersion'],
      [[{ ...createActionPairMiner(), dataSchema: { safeParse: () => ({}) } }], 'miners.0.dataSchema'],
      [[{ ...createActionPairMiner(), patternType: 'Action Pair' }], 'miners.0.patternType'],
      [[createActionPairMiner(), createActionPairMiner()], 'miners.1.patternType'],
      [[{ ...createActionPairMiner(), minSuccessShare: 0 }], 'miners.0.minSuccessShare'],
      [[{ ...createActionPairMiner(), history: 'everything' }], 'miners.0.history'],
    ];
    for (const [miners, path] of refusals) {
      const error = await openTempMemory({ miners: miners as PatternMinerV1[] }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path }] });
    }
  });
});

describe('domain scoping', () => {
  it('never shows a caller limited to one domain the patterns mined in another', async () => {
    const { store } = await open();
    await run(store, [read('read_file'), read('edit_file')], 'completed', 'alpha');
    const beta = await run(store, [read('read_file'), read('edit_file')], 'completed', 'beta');
    await run(store, [read('read_file'), read('edit_file')], 'completed', 'beta');
    const alphaId = pairId('read_file', 'edit_file', 'alpha');
    const betaId = pairId('read_file', 'edit_file', 'beta');
    expect(alphaId).not.toBe(betaId);
    const scope = { domains: ['alpha'] };
    const { items: listed } = await store.memory.patterns.list({}, { scope });
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((pattern) => pattern.domain === 'alpha')).toBe(true);
    expect(await store.memory.patterns.get(betaId, { scope })).toBeNull();
    expect(await store.memory.patterns.get(alphaId, { scope })).not.toBeNull();
    const relevant = await store.memory.patterns.relevant(
      { text: 'read_file edit_file', minSupport: 1 },
      { scope },
    );
    expect(relevant.map((hit) => hit.pattern.domain)).toEqual(relevant.map(() => 'alpha'));
    expect(relevant.length).toBeGreaterThan(0);
    await expect(
      store.memory.patterns.recordUsage(betaId, { episodeId: beta, helped: true }, { scope }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.memory.admin.remine({}, { scope })).resolves.toMatchObject({ episodes: 1 });
    expect((await store.memory.patterns.get(betaId))?.support).toBe(2);
  });
});

describe('with the LMDB cache', () => {
  it('never serves a pattern read from before a mining write, a usage record or a remine', async () => {
    const { store, raw } = await open({ cache: true });
    expect(store.memory.admin.cacheStats().enabled).toBe(true);
    const first = await run(store, [read('read_file'), read('edit_file')]);
    const id = pairId('read_file', 'edit_file');
    const listed = async () => (await store.memory.patterns.list({ type: 'action_pair' })).items[0]?.support;
    expect((await store.memory.patterns.get(id))?.support).toBe(1);
    expect(await listed()).toBe(1);
    expect((await store.memory.patterns.get(id))?.support).toBe(1); // now from the cache
    expect(store.memory.admin.cacheStats().keyspaces.pattern.hits).toBeGreaterThan(0);

    await run(store, [read('read_file'), read('edit_file')]);
    expect((await store.memory.patterns.get(id))?.support).toBe(2);
    expect(await listed()).toBe(2);

    await store.memory.patterns.recordUsage(id, { episodeId: first, helped: true });
    expect((await store.memory.patterns.get(id))?.usageCount).toBe(1);

    await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [first] });
    await store.memory.admin.remine();
    expect((await store.memory.patterns.get(id))?.support).toBe(1);
    expect(await listed()).toBe(1);
  });
});
