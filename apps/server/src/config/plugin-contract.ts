import type { EpisodeWithSteps, MineInput, PatternMinerV1 } from '@episodic/core';
import { memoryConfigSchema } from '@episodic/core';

/** A finished episode of the shape every miner sees: an error met, a fix, a passing run. */
function sampleInput(): MineInput {
  const at = '2026-01-01T00:00:00.000Z';
  const step = (stepNumber: number, action: string, result: string, success: boolean) => ({
    id: `00000000-0000-7000-8000-00000000000${stepNumber}`,
    episodeId: '00000000-0000-7000-8000-000000000000',
    stepNumber,
    action,
    result,
    durationMs: 100 * stepNumber,
    success,
    timestamp: at,
    metadata: null,
  });
  const episode: EpisodeWithSteps = {
    id: '00000000-0000-7000-8000-000000000000',
    taskType: 'debugging',
    domain: 'contract-check',
    context: 'Checkout test fails with TypeError',
    status: 'completed',
    successRate: 1,
    createdAt: at,
    completedAt: at,
    metadata: null,
    embeddingVersion: null,
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

/** Validates with the schema's Standard Schema interface when it has one (zod 4 does), else `safeParse`. */
async function dataProblem(schema: PatternMinerV1['dataSchema'], data: unknown): Promise<string | null> {
  const standard = (schema as { '~standard'?: { validate(value: unknown): unknown } })['~standard'];
  if (standard !== undefined) {
    const result = (await standard.validate(data)) as { issues?: readonly { message: string }[] };
    return result.issues === undefined ? null : (result.issues[0]?.message ?? 'invalid');
  }
  const result = schema.safeParse(data);
  return result.success ? null : (result.error.issues[0]?.message ?? 'invalid');
}

interface CheckResult {
  success: boolean;
  error?: { issues: readonly { path: PropertyKey[]; message: string }[] };
}

/** Each issue as `path: message`, its path without the first `drop` parts (the wrapping array). */
function shapeProblems(result: CheckResult, drop = 0): string[] {
  if (result.success) return [];
  return (result.error?.issues ?? []).map((issue) => {
    const path = issue.path.slice(drop).map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
}

/** What is wrong with `value` as an embedding provider (v1), as the engine would check it. */
export function embeddingProviderProblems(value: unknown): string[] {
  return shapeProblems(memoryConfigSchema.shape.embeddings.safeParse(value));
}

/**
 * What is wrong with `value` as a pattern miner: its shape as the engine checks it, then one run
 * of `mine()` on a small sample episode, whose candidates must pass the miner's own `dataSchema`.
 * A miner that would fail on every episode is refused at start instead of failing in the queue.
 */
export async function patternMinerProblems(value: unknown): Promise<string[]> {
  const shape = shapeProblems(memoryConfigSchema.shape.miners.safeParse([value]), 1);
  if (shape.length > 0) return shape;
  const miner = value as PatternMinerV1;
  let candidates: unknown;
  try {
    candidates = await miner.mine(sampleInput());
  } catch (error) {
    return [`mine() threw on a sample episode: ${(error as Error)?.message ?? String(error)}`];
  }
  if (!Array.isArray(candidates)) return ['mine() must return an array of candidates'];
  const problems: string[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const at = `mine() candidate ${index}`;
    if (typeof candidate !== 'object' || candidate === null) {
      problems.push(`${at}: must be an object { data, success }`);
      continue;
    }
    const { data, success } = candidate as { data: unknown; success: unknown };
    if (typeof success !== 'boolean') problems.push(`${at}.success: must be a boolean`);
    const problem = await dataProblem(miner.dataSchema, data);
    if (problem !== null) problems.push(`${at}.data: does not pass the miner's dataSchema: ${problem}`);
    else if (miner.describe !== undefined && typeof miner.describe(data as never) !== 'string')
      problems.push(`${at}: describe(data) must return a string`);
  }
  return problems;
}
