import { describe, expect, it } from 'vitest';
import type { PatternMinerV1 } from '../pattern-miner.js';
import { createToolUseMiner, type ToolUse } from './__fixtures__/tool-use-miner.js';
import type { EpisodeFixture } from './episode-fixtures.js';
import { type PatternMinerFactory, patternMinerChecks, resolveSuiteOptions } from './pattern-miner-checks.js';
import { testPatternMiner } from './pattern-miner-suite.js';

const episodes: EpisodeFixture[] = [
  { steps: [{ action: 'read_file a.ts' }, { action: 'edit_file a.ts' }, { action: 'run_tests' }] },
  { status: 'failed', steps: [{ action: 'read_file b.ts' }, { action: 'run_tests' }] },
];

testPatternMiner(createToolUseMiner, { episodes });

type Pairs = PatternMinerV1<ToolUse>;
const good = createToolUseMiner;
const broken =
  (change: (miner: Pairs) => Partial<Pairs>): PatternMinerFactory =>
  () => {
    const miner = good();
    return { ...miner, ...change(miner) } as PatternMinerV1;
  };

/** For each check, a miner that breaks exactly what it guards. */
const breakers: Record<string, PatternMinerFactory> = {
  'declares the v1 contract': broken(() => ({ specificationVersion: 'v2' as 'v1' })),
  'a valid minSuccessShare': broken(() => ({ minSuccessShare: 1.5 })),
  'finds patterns': broken(() => ({ mine: () => [] })),
  'validates against its own schema': broken((miner) => ({
    mine: async (input) => (await miner.mine(input)).map((c) => ({ ...c, data: { ...c.data, extra: true } })),
  })),
  'is deterministic': broken((miner) => {
    let calls = 0;
    return {
      mine: async (input) =>
        (await miner.mine(input)).map((c) => ({ ...c, measurements: { calls: calls++ } })),
    };
  }),
  'a string variantKey': broken(() => ({ variantKey: () => String(Math.random()) })),
  'gives canonical data': broken((miner) => ({
    mine: async (input) =>
      (await miner.mine(input)).map((c) => ({ ...c, data: { ...c.data, tool: input.episode.id } })),
    dataSchema: miner.dataSchema,
  })),
  'does not modify': broken((miner) => ({
    mine: (input) => {
      (input.episode.steps as unknown[]).reverse();
      return miner.mine(input);
    },
  })),
  'no more of the history than it declares': broken((miner) => ({
    history: 'none',
    mine: (input) => (input.history.taskType.episodes >= 0 ? miner.mine(input) : []),
  })),
  'in mine() and historyKey()': broken((miner) => ({
    history: 'taskType',
    historyKey: (history) => history.domain.episodes,
    mine: miner.mine,
  })),
  'two histories with the same historyKey': broken((miner) => ({
    history: 'taskType',
    // The key leaves out what mine() reads: whether any episode came before.
    historyKey: () => null,
    mine: (input) => (input.history.taskType.episodes > 0 ? miner.mine(input) : []),
  })),
  'finds nothing in an episode with no steps': broken((miner) => ({
    mine: async (input) => [
      ...(await miner.mine(input)),
      { data: { tool: '', used: 'once' as const }, success: true },
    ],
  })),
  'bounded, linear work': broken(() => ({
    mine: ({ episode }) => {
      let reads = 0;
      for (const a of episode.steps) for (const b of episode.steps) reads += a.action === b.action ? 1 : 0;
      return [{ data: { tool: String(reads > 0), used: 'once' as const }, success: true }];
    },
  })),
  'mines any episode (fast-check)': broken((miner) => ({
    mine: (input) => {
      if (input.episode.steps.some((step) => step.action === ''))
        throw new Error('choked on an empty action');
      return miner.mine(input);
    },
  })),
  'stops when its signal is aborted': broken((miner) => ({
    mine: (input) => miner.mine({ ...input, signal: undefined }),
  })),
};

describe('the conformance suite catches the miner that breaks each of its checks', () => {
  const options = resolveSuiteOptions({ episodes, longEpisodeSteps: 600 });
  it('has a breaker for every check', () => {
    for (const check of patternMinerChecks) {
      expect(
        Object.keys(breakers).some((key) => check.name.includes(key)),
        check.name,
      ).toBe(true);
    }
  });
  it('passes a miner whose historyKey holds all that mine() reads of history', async () => {
    const check = patternMinerChecks.find((candidate) => candidate.name.includes('same historyKey'))!;
    const keyed = broken((miner) => ({
      history: 'taskType',
      historyKey: (history) => history.taskType.episodes > 0,
      mine: (input) => (input.history.taskType.episodes > 0 ? miner.mine(input) : []),
    }));
    await expect(check.run(keyed, options)).resolves.toBeUndefined();
  });
  for (const [key, factory] of Object.entries(breakers)) {
    it(key, async () => {
      const check = patternMinerChecks.find((candidate) => candidate.name.includes(key))!;
      await expect(check.run(good as PatternMinerFactory, options)).resolves.toBeUndefined();
      await expect(check.run(factory, options)).rejects.toThrow();
    });
  }
});
