import type { EmbeddingProviderV1 } from './embedding-provider.js';
import { contractError, notCalled, type PluginIssue } from './plugin-error.js';

/**
 * What is wrong with a value offered as an embedding provider, field by field; empty when it
 * fits the v1 contract as far as can be seen without calling it.
 */
export function embeddingProviderIssues(value: unknown): PluginIssue[] {
  if (typeof value !== 'object' || value === null) {
    return [{ path: '(provider)', message: `must be an embedding provider object${notCalled(value)}` }];
  }
  const provider = value as Partial<Record<keyof EmbeddingProviderV1, unknown>>;
  const issues: PluginIssue[] = [];
  const fail = (path: string, message: string) => issues.push({ path, message });
  if (provider.specificationVersion !== 'v1') {
    const got = JSON.stringify(provider.specificationVersion) ?? 'undefined';
    fail('specificationVersion', `must be 'v1' (got ${got})`);
  }
  for (const key of ['provider', 'model'] as const) {
    if (typeof provider[key] !== 'string' || provider[key] === '') fail(key, 'must be a non-empty string');
  }
  for (const key of ['dimensions', 'maxBatchSize'] as const) {
    const number = provider[key];
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1)
      fail(key, 'must be a positive integer');
  }
  if (typeof provider.deterministic !== 'boolean') fail('deterministic', 'must be a boolean');
  if (provider.kind !== undefined && provider.kind !== 'lexical' && provider.kind !== 'semantic')
    fail('kind', "must be 'lexical' or 'semantic' when given");
  if (typeof provider.embed !== 'function') fail('embed', 'must be a function');
  return issues;
}

/**
 * Returns `value` as an `EmbeddingProviderV1`, or throws a `CONTRACT` `PluginError` naming
 * `plugin` and every field that breaks the contract.
 */
export function assertEmbeddingProvider(value: unknown, plugin = 'embedding provider'): EmbeddingProviderV1 {
  const issues = embeddingProviderIssues(value);
  if (issues.length === 0) return value as EmbeddingProviderV1;
  throw contractError(plugin, 'EmbeddingProviderV1', issues);
}
