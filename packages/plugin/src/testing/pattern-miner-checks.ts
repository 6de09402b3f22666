import assert from 'node:assert/strict';
import { declaredHistory } from '../declared-history.js';
import { measureEpisode } from '../episode-measures.js';
import type { EpisodeView, StepView } from '../episode-view.js';
import type { MineInput, PatternMinerV1 } from '../pattern-miner.js';
import { isSuccessShare, snakeCaseName } from '../pattern-miner-check.js';
import { isStandardSchema } from '../standard-schema.js';
import { createMineInputs, type EpisodeFixture } from './episode-fixtures.js';
import { historyKeyCheck } from './history-key-check.js';
import { assertValidCandidates, identity, mine, mineAll } from './miner-candidates.js';
import { anyEpisodeCheck } from './miner-property-check.js';

/** Makes a fresh miner for each check, so no check sees another's state. */
export type PatternMinerFactory<Data = unknown> = () => PatternMinerV1<Data> | Promise<PatternMinerV1<Data>>;

export interface PatternMinerSuiteOptions {
  /** Episodes in which the miner should find patterns; mined in order, each with the history of those before. */
  episodes: readonly EpisodeFixture[];
  /** Most candidates one episode may yield, however long it is. Default 1000. */
  maxCandidatesPerEpisode?: number;
  /** Length of the long episode built by repeating the sample steps. Default 5000. */
  longEpisodeSteps?: number;
  /** Most property reads per step of the long episode: linear work, not quadratic. Default 200. */
  maxReadsPerStep?: number;
  /** Random episodes (fast-check) the miner must get through with valid, deterministic results. Default 100. */
  propertyRuns?: number;
  /**
   * Per-check timeout in ms. Default 3 min: the long-episode and random-episode checks do real
   * work, and a loaded CI machine runs them many times slower than a laptop (the random-episode
   * check of a default miner took 67 s with two test suites sharing 2 cores).
   */
  timeoutMs?: number;
  /**
   * How long one `mine()` call may take before its check fails saying it did not settle (and
   * every later check fails at once). Default half of `timeoutMs`, at most 60 s.
   */
  callTimeoutMs?: number;
}

export type ResolvedSuiteOptions = Required<PatternMinerSuiteOptions>;
type Resolved = ResolvedSuiteOptions;

export interface PatternMinerCheck {
  name: string;
  run(factory: PatternMinerFactory, options: Resolved): Promise<void>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function longEpisode(options: Resolved, counter: { reads: number }): MineInput {
  const inputs = createMineInputs(options.episodes);
  const sample = inputs.flatMap((input) => input.episode.steps);
  assert.ok(sample.length > 0, 'the sample episodes have no steps to build a long episode from');
  const last = inputs.at(-1) as MineInput;
  const steps: StepView[] = Array.from({ length: options.longEpisodeSteps }, (_, index) => {
    const step = { ...(sample[index % sample.length] as StepView), stepNumber: index + 1 };
    return new Proxy(step, {
      get(target, property, receiver) {
        counter.reads += 1;
        return Reflect.get(target, property, receiver);
      },
    });
  });
  return { ...last, episode: { ...last.episode, steps } };
}

/** Every check `testPatternMiner` runs, in order. Exported so the suite itself can be tested. */
export const patternMinerChecks: readonly PatternMinerCheck[] = [
  {
    name: 'declares the v1 contract: specificationVersion, a snake_case patternType, a Standard Schema dataSchema, mine() and a valid minSuccessShare',
    async run(factory) {
      const miner = await factory();
      assert.equal(miner.specificationVersion, 'v1');
      assert.ok(
        snakeCaseName.test(miner.patternType),
        `patternType "${miner.patternType}" is not snake_case`,
      );
      assert.ok(isStandardSchema(miner.dataSchema), 'dataSchema is not a Standard Schema');
      assert.equal(typeof miner.mine, 'function');
      assert.ok(
        miner.describe === undefined || typeof miner.describe === 'function',
        'describe is not a function',
      );
      assert.ok(
        isSuccessShare(miner.minSuccessShare),
        `minSuccessShare ${miner.minSuccessShare} is not in (0, 1]`,
      );
    },
  },
  {
    name: 'finds patterns in the sample episodes',
    async run(factory, options) {
      const found = (await mineAll(await factory(), createMineInputs(options.episodes))).flat();
      assert.ok(found.length > 0, 'no candidate from any sample episode: the suite would prove nothing');
    },
  },
  {
    name: 'returns candidates whose data validates against its own schema and is plain JSON, each once',
    async run(factory, options) {
      const miner = await factory();
      for (const candidates of await mineAll(miner, createMineInputs(options.episodes))) {
        await assertValidCandidates(miner, candidates);
      }
    },
  },
  {
    name: 'is deterministic: the same input gives the same candidates',
    async run(factory, options) {
      const inputs = createMineInputs(options.episodes);
      assert.deepEqual(await mineAll(await factory(), inputs), await mineAll(await factory(), inputs));
      const miner = await factory();
      assert.deepEqual(
        await mineAll(miner, inputs),
        await mineAll(miner, inputs),
        'a second run of one miner differs',
      );
    },
  },
  {
    name: 'gives each candidate a string variantKey, the same each time for the same data (when it groups variants)',
    async run(factory, options) {
      const miner = await factory();
      if (miner.variantKey === undefined) return;
      for (const candidates of await mineAll(miner, createMineInputs(options.episodes))) {
        for (const { data } of candidates) {
          const key = miner.variantKey(data);
          assert.equal(typeof key, 'string', `variantKey of ${JSON.stringify(data)} is not a string`);
          assert.equal(
            miner.variantKey(structuredClone(data)),
            key,
            `variantKey of ${JSON.stringify(data)} changes`,
          );
        }
      }
    },
  },
  {
    name: 'gives canonical data: the same run in another episode (other ids, times, context) is the same pattern',
    async run(factory, options) {
      const miner = await factory();
      const first = createMineInputs(options.episodes);
      const moved = options.episodes.map((fixture) => ({
        ...fixture,
        context: `${fixture.context ?? ''} (again)`,
      }));
      const second = createMineInputs(moved, {
        idPrefix: 'a1b2c3d4',
        startMs: Date.UTC(2031, 5, 6, 7, 8, 9),
      });
      const a = await mineAll(miner, first);
      const b = await mineAll(miner, second);
      a.forEach((candidates, index) => {
        assert.deepEqual(candidates.map(identity).sort(), (b[index] ?? []).map(identity).sort());
        const episode = first[index]?.episode as EpisodeView;
        const text = JSON.stringify(candidates.map((candidate) => candidate.data));
        for (const id of [episode.id, ...episode.steps.map((step) => step.id)]) {
          assert.ok(
            !text.includes(id),
            `pattern data holds the id ${id}, so it can never match another episode`,
          );
        }
      });
    },
  },
  {
    name: 'does not modify the episode or the history it is given',
    async run(factory, options) {
      const inputs = createMineInputs(options.episodes);
      const before = JSON.stringify(inputs);
      await mineAll(
        await factory(),
        inputs.map((input) => deepFreeze(structuredClone(input))),
      );
      await mineAll(await factory(), inputs);
      assert.equal(JSON.stringify(inputs), before);
    },
  },
  {
    name: 'reads no more of the history than it declares, in mine() and historyKey()',
    async run(factory, options) {
      const miner = await factory();
      for (const input of createMineInputs(options.episodes)) {
        const history = declaredHistory(miner, input.history);
        miner.historyKey?.(history, measureEpisode(input.episode));
        await mine(miner, { ...input, history });
      }
    },
  },
  {
    name: 'finds nothing in an episode with no steps',
    async run(factory, options) {
      const miner = await factory();
      for (const status of ['completed', 'failed'] as const) {
        const [input] = createMineInputs([{ ...options.episodes[0], status, steps: [] }]);
        assert.deepEqual(await mine(miner, input as MineInput), []);
      }
    },
  },
  {
    name: 'does bounded, linear work on a long episode',
    async run(factory, options) {
      const counter = { reads: 0 };
      const input = longEpisode(options, counter);
      const candidates = await mine(await factory(), input);
      assert.ok(
        candidates.length <= options.maxCandidatesPerEpisode,
        `${candidates.length} candidates from one episode (at most ${options.maxCandidatesPerEpisode})`,
      );
      const limit = options.maxReadsPerStep * options.longEpisodeSteps;
      assert.ok(
        counter.reads <= limit,
        `${counter.reads} step property reads for ${options.longEpisodeSteps} steps (at most ${limit})`,
      );
    },
  },
  {
    name: 'stops when its signal is aborted, rejecting with the signal reason',
    async run(factory, options) {
      const miner = await factory();
      const reason = new Error('aborted by the conformance suite');
      const inputs = createMineInputs(options.episodes);
      for (const input of inputs) {
        const outcome = await (async () =>
          mine(miner, { ...input, signal: AbortSignal.abort(reason) }))().then(
          (candidates) => ({ candidates }),
          (error: unknown) => ({ error }),
        );
        assert.ok('error' in outcome, 'mine() resolved although its signal was already aborted');
        assert.equal(outcome.error, reason, 'mine() rejected with something other than signal.reason');
      }
    },
  },
  historyKeyCheck,
  anyEpisodeCheck,
];

export function resolveSuiteOptions(options: PatternMinerSuiteOptions): Resolved {
  assert.ok(options.episodes.length > 0, 'testPatternMiner needs at least one sample episode');
  return {
    maxCandidatesPerEpisode: 1000,
    longEpisodeSteps: 5000,
    maxReadsPerStep: 200,
    propertyRuns: 100,
    timeoutMs: 180_000,
    callTimeoutMs: Math.min(60_000, (options.timeoutMs ?? 180_000) / 2),
    ...options,
  };
}
