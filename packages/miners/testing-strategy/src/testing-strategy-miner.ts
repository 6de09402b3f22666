import { defineMiner, type PatternCandidate, type PatternMinerV1 } from '@episodic/plugin';
import { z } from 'zod';
import {
  classifyAction,
  defaultChangeMatchers,
  defaultTestMatchers,
  isTargetedTest,
} from './test-actions.js';

const matchersSchema = z.array(z.union([z.string().min(1), z.instanceof(RegExp)])).min(1);

export const testingStrategyOptionsSchema = z.strictObject({
  /** What makes an action a test run: words or phrases (matched against the action's words) or RegExps. */
  testMatchers: matchersSchema.default(() => [...defaultTestMatchers]),
  /** What makes an action a change (an edit, a write…); the tool name is checked first. */
  changeMatchers: matchersSchema.default(() => [...defaultChangeMatchers]),
  /** Only the first this many steps are looked at: mining work stays bounded. */
  maxSteps: z.number().int().min(1).max(100_000).default(2000),
});
export type TestingStrategyOptions = z.input<typeof testingStrategyOptionsSchema>;

/**
 * The strategies this miner recognises. An episode shows every one that holds for it.
 * - `test_first`: a test ran before the first change (reproduce, then fix).
 * - `test_after_each_change`: every change was followed by a test run before the next change.
 * - `verify_at_end`: the last test run came after the last change.
 * - `targeted_before_full`: chosen tests ran before the first full-suite run.
 * - `no_tests`: changes, and no test run at all.
 * - `tests_without_changes`: test runs and no change (investigating, or checking).
 */
export const testingStrategies = [
  'test_first',
  'test_after_each_change',
  'verify_at_end',
  'targeted_before_full',
  'no_tests',
  'tests_without_changes',
] as const;
export type TestingStrategy = (typeof testingStrategies)[number];

const descriptions: Record<TestingStrategy, string> = {
  test_first: 'tests run before the first change',
  test_after_each_change: 'tests run after each change',
  verify_at_end: 'tests run after the last change',
  targeted_before_full: 'targeted tests run before the full suite',
  no_tests: 'changes made without running tests',
  tests_without_changes: 'tests run without changing anything',
};

/** `pattern_data` of a `testing_strategy` pattern. */
export const testingStrategyDataSchema = z.strictObject({ strategy: z.enum(testingStrategies) });
export type TestingStrategyData = z.infer<typeof testingStrategyDataSchema>;

interface Profile {
  tests: number[];
  changes: number[];
  targeted: number[];
  full: number[];
  failedTests: number;
}

function strategiesOf(profile: Profile): TestingStrategy[] {
  const { tests, changes, targeted, full } = profile;
  const held: TestingStrategy[] = [];
  const firstTest = tests[0];
  const firstChange = changes[0];
  if (firstTest !== undefined && firstChange !== undefined && firstTest < firstChange)
    held.push('test_first');
  if (changes.length > 0) {
    // Each change must be followed by a test before the next change (or the end).
    let testIndex = 0;
    const covered = changes.every((change, index) => {
      const next = changes[index + 1] ?? Number.POSITIVE_INFINITY;
      while (testIndex < tests.length && (tests[testIndex] as number) < change) testIndex += 1;
      return testIndex < tests.length && (tests[testIndex] as number) < next;
    });
    if (covered) held.push('test_after_each_change');
  }
  if (changes.length > 0 && tests.length > 0 && (tests.at(-1) as number) > (changes.at(-1) as number))
    held.push('verify_at_end');
  if (targeted.length > 0 && full.length > 0 && (targeted[0] as number) < (full[0] as number))
    held.push('targeted_before_full');
  if (changes.length > 0 && tests.length === 0) held.push('no_tests');
  if (changes.length === 0 && tests.length > 0) held.push('tests_without_changes');
  return held;
}

/**
 * Mines testing strategies: where test runs sit among the changes of an episode (before the
 * first change, after each one, at the end, targeted before the full suite, none at all), per
 * task type. Each strategy an episode shows is one more unit of support, evidence of success
 * when the episode succeeded, so a strategy's success rate against the task type's base rate
 * (its lift) says how it goes with success.
 */
export const createTestingStrategyMiner = defineMiner({
  name: 'testing-strategy miner',
  options: testingStrategyOptionsSchema,
  create(settings): PatternMinerV1<TestingStrategyData> {
    const matchers = { test: settings.testMatchers, change: settings.changeMatchers };
    return {
      specificationVersion: 'v1',
      patternType: 'testing_strategy',
      dataSchema: testingStrategyDataSchema,
      history: 'none',
      describe: (data) => `${data.strategy.replaceAll('_', ' ')}: ${descriptions[data.strategy]}`,
      mine({ episode, succeeded, signal }) {
        signal?.throwIfAborted();
        const steps = episode.steps.slice(0, settings.maxSteps);
        const profile: Profile = { tests: [], changes: [], targeted: [], full: [], failedTests: 0 };
        steps.forEach((step, index) => {
          const kind = classifyAction(step.action, matchers);
          if (kind === 'change') profile.changes.push(index);
          if (kind !== 'test') return;
          profile.tests.push(index);
          (isTargetedTest(step.action, matchers.test) ? profile.targeted : profile.full).push(index);
          if (step.success === false) profile.failedTests += 1;
        });
        const measurements: Record<string, number> = {
          testRuns: profile.tests.length,
          failedTestRuns: profile.failedTests,
          changes: profile.changes.length,
        };
        // Where the first test run sits, from 0 (first step) to 1 (last step).
        if (profile.tests[0] !== undefined)
          measurements.firstTestAt = steps.length === 1 ? 0 : profile.tests[0] / (steps.length - 1);
        return strategiesOf(profile).map(
          (strategy): PatternCandidate<TestingStrategyData> => ({
            data: { strategy },
            success: succeeded,
            perTaskType: true,
            measurements,
          }),
        );
      },
    };
  },
});
