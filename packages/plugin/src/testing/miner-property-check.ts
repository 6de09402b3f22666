import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMineInputs, type EpisodeFixture, type StepFixture } from './episode-fixtures.js';
import { assertValidCandidates, mineAll } from './miner-candidates.js';
import type { PatternMinerCheck } from './pattern-miner-checks.js';

/** Text an agent may log: ordinary, empty, binary (lone surrogates, NUL), huge, or JSON that is not a tool call. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '{"name": 1}', '[]', '()', '__proto__', 'x'.repeat(20_000)),
);

/** Episodes made of the sample's own actions (so the miner finds something) mixed with hostile ones. */
function episodesFrom(samples: readonly EpisodeFixture[]): fc.Arbitrary<EpisodeFixture[]> {
  const actions = [...new Set(samples.flatMap((episode) => episode.steps.map((step) => step.action)))];
  const results = samples.flatMap((episode) => episode.steps.map((step) => step.result ?? null));
  const step: fc.Arbitrary<StepFixture> = fc.record({
    action:
      actions.length === 0
        ? hostileText
        : fc.oneof({ arbitrary: fc.constantFrom(...actions), weight: 3 }, hostileText),
    result: fc.oneof(fc.constantFrom(...results, null), hostileText),
    success: fc.constantFrom(true, false, null),
    durationMs: fc.oneof(fc.constant(null), fc.nat(600_000)),
  });
  const episode: fc.Arbitrary<EpisodeFixture> = fc.record({
    taskType: fc.constantFrom(...new Set(samples.map((sample) => sample.taskType ?? 'debugging'))),
    status: fc.constantFrom('completed' as const, 'failed' as const),
    context: fc.oneof(fc.constant(null), hostileText),
    steps: fc.array(step, { maxLength: 30 }),
  });
  return fc.array(episode, { minLength: 1, maxLength: 4 });
}

/**
 * A property test (fast-check): on random sequences of episodes built from the sample's actions
 * and hostile text, the miner never throws, every candidate is valid, and a second miner gives
 * the same candidates. fast-check shrinks a failure to the smallest episode that shows it.
 */
export const anyEpisodeCheck: PatternMinerCheck = {
  name: 'mines any episode (fast-check): hostile text, empty and huge steps, without throwing, with valid and deterministic candidates',
  async run(factory, options) {
    await fc.assert(
      fc.asyncProperty(episodesFrom(options.episodes), async (fixtures) => {
        const inputs = createMineInputs(fixtures);
        const found = await mineAll(await factory(), inputs);
        for (const candidates of found) await assertValidCandidates(await factory(), candidates);
        assert.deepEqual(
          await mineAll(await factory(), inputs),
          found,
          'a second miner gave other candidates',
        );
      }),
      { numRuns: options.propertyRuns },
    );
  },
};
