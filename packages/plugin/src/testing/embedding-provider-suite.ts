import { describe, it } from 'vitest';
import {
  type EmbeddingProviderFactory,
  type EmbeddingProviderSuiteOptions,
  embeddingProviderChecks,
  resolveSuiteOptions,
} from './embedding-provider-suite-checks.js';
import { settleGuarded } from './settle-guard.js';

export type { EmbeddingProviderFactory, EmbeddingProviderSuiteOptions };

/**
 * The conformance suite of the `EmbeddingProviderV1` contract, for a provider package's own
 * tests (vitest): it registers a `describe` block with one test per promise of the contract,
 * including vectors that carry something (not all zeros, finite, different for different texts).
 *
 * @example
 * // local-embeddings.test.ts
 * import { testEmbeddingProvider } from '@episodic/plugin/testing';
 * testEmbeddingProvider(() => createLocalEmbeddings({ dimensions: 256 }));
 */
export function testEmbeddingProvider(
  factory: EmbeddingProviderFactory,
  options: EmbeddingProviderSuiteOptions = {},
): void {
  const resolved = resolveSuiteOptions(options);
  const guarded = settleGuarded(factory, 'embed', resolved.callTimeoutMs);
  describe(`${options.name ?? 'embedding provider'} conforms to EmbeddingProviderV1`, () => {
    for (const check of embeddingProviderChecks) {
      it(check.name, { timeout: resolved.timeoutMs }, () => check.run(guarded, resolved));
    }
  });
}
