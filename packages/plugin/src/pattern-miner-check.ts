import type { MinerHistoryUse, PatternMinerV1 } from './pattern-miner.js';
import { contractError, notCalled, type PluginIssue } from './plugin-error.js';
import { isStandardSchema } from './standard-schema.js';

/** Names a plugin or a user may add to an enumeration (pattern and task types): snake_case, as the seed's own. */
export const snakeCaseName = /^[a-z][a-z0-9_]{0,63}$/;

const historyUses: readonly string[] = ['none', 'taskType', 'domain'] satisfies MinerHistoryUse[];

/** Whether `share` is a valid {@link PatternMinerV1.minSuccessShare}. */
export function isSuccessShare(share: unknown): boolean {
  return share === undefined || (typeof share === 'number' && share > 0 && share <= 1);
}

/**
 * What is wrong with a value offered as a pattern miner, field by field; empty when it fits the
 * v1 contract as far as can be seen without calling it.
 */
export function patternMinerIssues(value: unknown): PluginIssue[] {
  if (typeof value !== 'object' || value === null) {
    return [{ path: '(miner)', message: `must be a pattern miner object${notCalled(value)}` }];
  }
  const miner = value as Partial<Record<keyof PatternMinerV1, unknown>>;
  const issues: PluginIssue[] = [];
  const fail = (path: string, message: string) => issues.push({ path, message });
  if (miner.specificationVersion !== 'v1') {
    const got = JSON.stringify(miner.specificationVersion) ?? 'undefined';
    fail('specificationVersion', `must be 'v1' (got ${got})`);
  }
  if (typeof miner.patternType !== 'string' || !snakeCaseName.test(miner.patternType))
    fail('patternType', 'must be snake_case: a-z, 0-9 and _, starting with a letter, at most 64 characters');
  if (!isStandardSchema(miner.dataSchema))
    fail('dataSchema', 'must be a Standard Schema (a zod 4 schema, a valibot or arktype schema…)');
  if (typeof miner.mine !== 'function') fail('mine', 'must be a function');
  if (miner.describe !== undefined && typeof miner.describe !== 'function')
    fail('describe', 'must be a function when given');
  if (miner.history !== undefined && !historyUses.includes(miner.history as string))
    fail('history', `must be one of ${historyUses.map((use) => `"${use}"`).join(', ')} or absent`);
  if (miner.historyKey !== undefined && typeof miner.historyKey !== 'function')
    fail('historyKey', 'must be a function when given');
  if (miner.variantKey !== undefined && typeof miner.variantKey !== 'function')
    fail('variantKey', 'must be a function when given');
  if (!isSuccessShare(miner.minSuccessShare)) fail('minSuccessShare', 'must be a number in (0, 1] or absent');
  return issues;
}

/**
 * Returns `value` as a `PatternMinerV1`, or throws a `CONTRACT` `PluginError` naming `plugin`
 * and every field that breaks the contract.
 */
export function assertPatternMiner(value: unknown, plugin = 'pattern miner'): PatternMinerV1 {
  const issues = patternMinerIssues(value);
  if (issues.length === 0) return value as PatternMinerV1;
  throw contractError(plugin, 'PatternMinerV1', issues);
}
