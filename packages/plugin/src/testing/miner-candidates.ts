import assert from 'node:assert/strict';
import { canonicalJson } from '../canonical-json.js';
import type { MineInput, PatternCandidate, PatternMinerV1 } from '../pattern-miner.js';
import { describeIssues, toPluginIssues } from '../standard-schema.js';

export async function mine(
  miner: PatternMinerV1,
  input: MineInput,
): Promise<readonly PatternCandidate<unknown>[]> {
  return miner.mine(input);
}

export async function mineAll(miner: PatternMinerV1, inputs: readonly MineInput[]) {
  const all = [];
  for (const input of inputs) all.push(await mine(miner, input));
  return all;
}

/** Canonical text of what identifies a candidate: its data and whether it is per task type. */
export function identity(candidate: PatternCandidate<unknown>): string {
  return canonicalJson([candidate.perTaskType === true, candidate.data]);
}

/**
 * What the engine requires of one episode's candidates: data that validates against the miner's
 * schema and survives JSON, a boolean `success`, finite measurements, a non-empty description,
 * and each pattern once.
 */
export async function assertValidCandidates(
  miner: PatternMinerV1,
  candidates: readonly PatternCandidate<unknown>[],
): Promise<void> {
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const parsed = await miner.dataSchema['~standard'].validate(candidate.data);
    if (parsed.issues !== undefined) {
      const why = describeIssues(toPluginIssues(parsed.issues));
      assert.fail(`data ${JSON.stringify(candidate.data)} fails its schema: ${why}`);
    }
    assert.deepEqual(
      JSON.parse(JSON.stringify(candidate.data)),
      candidate.data,
      'data does not survive JSON',
    );
    assert.equal(typeof candidate.success, 'boolean', 'success must be a boolean');
    for (const [name, value] of Object.entries(candidate.measurements ?? {})) {
      assert.ok(Number.isFinite(value), `measurement ${name} is not a finite number`);
    }
    if (miner.describe !== undefined)
      assert.ok(miner.describe(parsed.value).length > 0, 'describe() returned ""');
    const key = identity(candidate);
    assert.ok(!seen.has(key), `the same pattern is returned twice for one episode: ${key}`);
    seen.add(key);
  }
}
