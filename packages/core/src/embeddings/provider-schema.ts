import { z } from 'zod';
import type { EmbeddingProviderV1 } from './embedding-provider.js';

/** What is wrong with a value offered as an embedding provider, or null when it fits the v1 contract. */
function providerProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'must be an embedding provider object';
  const provider = value as Partial<Record<keyof EmbeddingProviderV1, unknown>>;
  if (provider.specificationVersion !== 'v1') {
    return `specificationVersion must be 'v1' (got ${JSON.stringify(provider.specificationVersion) ?? 'undefined'})`;
  }
  for (const key of ['provider', 'model'] as const) {
    if (typeof provider[key] !== 'string' || provider[key] === '') return `${key} must be a non-empty string`;
  }
  for (const key of ['dimensions', 'maxBatchSize'] as const) {
    const number = provider[key];
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1)
      return `${key} must be a positive integer`;
  }
  if (typeof provider.deterministic !== 'boolean') return 'deterministic must be a boolean';
  if (provider.kind !== undefined && provider.kind !== 'lexical' && provider.kind !== 'semantic')
    return "kind must be 'lexical' or 'semantic' when given";
  if (typeof provider.embed !== 'function') return 'embed must be a function';
  return null;
}

/** Accepts an object implementing `EmbeddingProviderV1` as it is (methods and all). */
export const embeddingProviderSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    const problem = providerProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => value as EmbeddingProviderV1);
