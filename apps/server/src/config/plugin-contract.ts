import { DeadlineError, withinDeadline } from '@episodic/core';
import {
  describeIssues,
  type EpisodeView,
  embeddingProviderIssues,
  type MineInput,
  type PatternMinerV1,
  type PluginIssue,
  patternMinerIssues,
  toPluginIssues,
} from '@episodic/plugin';
import { watchedSync } from './sync-watchdog.js';

/** A finished episode of the shape every miner sees: an error met, a fix, a passing run. */
function sampleInput(): MineInput {
  const at = '2026-01-01T00:00:00.000Z';
  const episodeId = '00000000-0000-7000-8000-000000000000';
  const step = (stepNumber: number, action: string, result: string, success: boolean) => ({
    id: `00000000-0000-7000-8000-00000000000${stepNumber}`,
    episodeId,
    stepNumber,
    action,
    result,
    durationMs: 100 * stepNumber,
    success,
    timestamp: at,
    metadata: null,
  });
  const episode: EpisodeView = {
    id: episodeId,
    taskType: 'debugging',
    domain: 'contract-check',
    context: 'Checkout test fails with TypeError',
    status: 'completed',
    successRate: 1,
    createdAt: at,
    completedAt: at,
    metadata: null,
    steps: [
      step(1, 'run_tests', 'TypeError: cannot read properties of undefined', false),
      step(2, 'edit_file src/cart.ts', 'awaited loadItems()', true),
      step(3, 'run_tests', '42 passed', true),
    ],
  };
  const baseline = {
    episodes: 0,
    successes: 0,
    successRate: null,
    steps: null,
    durationMs: null,
    successful: { steps: null, durationMs: null },
  };
  return { episode, succeeded: true, history: { taskType: baseline, domain: baseline } };
}

const messageOf = (error: unknown): string => (error as Error)?.message ?? String(error);

const lines = (issues: readonly PluginIssue[]) =>
  issues.length === 0 ? [] : describeIssues(issues).split('; ');

/** What is wrong with `value` as an embedding provider (v1), field by field, without calling it. */
export function embeddingProviderProblems(value: unknown): string[] {
  return lines(embeddingProviderIssues(value));
}

/** What is wrong with `value` as a pattern miner, field by field, without calling it. */
export function patternMinerProblemsWithoutRunning(value: unknown): string[] {
  return lines(patternMinerIssues(value));
}

/** The problems of one candidate `mine()` returned: its shape, then its data against the miner's `dataSchema`. */
async function candidateProblems(
  miner: PatternMinerV1,
  candidate: unknown,
  at: string,
): Promise<PluginIssue[]> {
  if (typeof candidate !== 'object' || candidate === null)
    return [{ path: at, message: 'must be an object { data, success }' }];
  const { data, success } = candidate as { data: unknown; success: unknown };
  const issues: PluginIssue[] = [];
  if (typeof success !== 'boolean') issues.push({ path: `${at}.success`, message: 'must be a boolean' });
  // The plugin's own code runs here: what it throws is a refusal naming it, not a crash of the start.
  let result: Awaited<ReturnType<PatternMinerV1['dataSchema']['~standard']['validate']>>;
  try {
    result = await miner.dataSchema['~standard'].validate(data);
  } catch (error) {
    return [
      ...issues,
      { path: `${at}.data`, message: `the miner's own dataSchema threw: ${messageOf(error)}` },
    ];
  }
  if (result.issues !== undefined)
    issues.push(
      ...toPluginIssues(result.issues, `${at}.data`).map((issue) => ({
        ...issue,
        message: `${issue.message} (the miner's own dataSchema)`,
      })),
    );
  else if (miner.describe !== undefined) {
    try {
      if (typeof miner.describe(result.value) !== 'string')
        issues.push({ path: `${at}.describe(data)`, message: 'must return a string' });
    } catch (error) {
      issues.push({ path: `${at}.describe(data)`, message: `threw: ${messageOf(error)}` });
    }
  }
  return issues;
}

/**
 * What is wrong with `value` as a pattern miner: its shape, then one run of `mine()` on a small
 * sample episode, whose candidates must pass the miner's own `dataSchema`. A miner that would fail
 * on every episode is refused at start instead of failing in the learning queue. The run, and then
 * the validation of its candidates, each get the deadline learning gives them
 * (`learning.mineTimeoutMs`): one that never settles would otherwise leave the command waiting on
 * nothing, and Node would exit 0 with nothing done.
 */
export async function patternMinerProblems(
  value: unknown,
  mineTimeoutMs: number,
  at = 'a miner',
): Promise<string[]> {
  const shape = patternMinerProblemsWithoutRunning(value);
  if (shape.length > 0) return shape;
  const miner = value as PatternMinerV1;
  const deadline = (what: string) => ({ timeoutMs: mineTimeoutMs, what, setting: 'learning.mineTimeoutMs' });
  // Its synchronous part may loop for ever, where no deadline of this thread can act.
  const stuck =
    `episodic: ${at}: mine() on a sample episode computed for ${mineTimeoutMs} ms without a pause ` +
    '(learning.mineTimeoutMs): a loop that never ends? Stopping (SIGKILL): nothing was written.';
  let candidates: unknown;
  try {
    candidates = await withinDeadline(
      (signal) => watchedSync(mineTimeoutMs, stuck, () => miner.mine({ ...sampleInput(), signal })),
      deadline('mine() on a sample episode'),
    );
  } catch (error) {
    if (error instanceof DeadlineError) return [error.message];
    return [`mine(): threw on a sample episode: ${messageOf(error)}`];
  }
  if (!Array.isArray(candidates)) return ['mine(): must return an array of candidates'];
  try {
    const issues = await withinDeadline(async () => {
      const found: PluginIssue[] = [];
      for (const [index, candidate] of candidates.entries())
        found.push(...(await candidateProblems(miner, candidate, `mine() candidate ${index}`)));
      return found;
    }, deadline("the miner's own dataSchema on mine()'s candidates for a sample episode"));
    return lines(issues);
  } catch (error) {
    // Only the deadline: `candidateProblems` turns what the plugin throws into issues.
    return [messageOf(error)];
  }
}
