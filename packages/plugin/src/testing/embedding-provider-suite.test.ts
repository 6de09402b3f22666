import { describe, expect, it } from 'vitest';
import type { EmbeddingProviderV1 } from '../embedding-provider.js';
import { createLetterEmbeddings } from './__fixtures__/letter-embeddings.js';
import { testEmbeddingProvider } from './embedding-provider-suite.js';
import {
  type EmbeddingProviderFactory,
  embeddingProviderChecks,
  resolveSuiteOptions,
} from './embedding-provider-suite-checks.js';

testEmbeddingProvider(createLetterEmbeddings, { name: 'letter counts' });

const good = createLetterEmbeddings;
const broken =
  (change: (provider: EmbeddingProviderV1) => Partial<EmbeddingProviderV1>): EmbeddingProviderFactory =>
  () => {
    const provider = good();
    return { ...provider, ...change(provider) };
  };
/** Does the real work (so it still aborts), then answers `vector(text)` for each text. */
const vectorsOf = (vector: (text: string) => Float32Array) =>
  broken((provider) => ({
    embed: async (texts, options) => {
      await provider.embed(texts, options);
      return texts.map(vector);
    },
  }));

/** For each check, a provider that breaks exactly what it guards. */
const breakers: Record<string, EmbeddingProviderFactory> = {
  'declares the v1 contract': broken(() => ({ specificationVersion: 'v2' as 'v1' })),
  'per text, in order': broken((provider) => ({
    embed: async (texts, options) => (await provider.embed(texts, options)).reverse(),
  })),
  'not all zeros': vectorsOf(() => new Float32Array(26)),
  'clearly different texts different vectors': vectorsOf(() =>
    Float32Array.from({ length: 26 }, (_, i) => i),
  ),
  'the empty string and whitespace': broken((provider) => ({
    embed: (texts, options) =>
      texts.some((text) => text.trim() === '')
        ? Promise.reject(new Error('empty input'))
        : provider.embed(texts, options),
  })),
  'a huge text': broken((provider) => ({
    embed: (texts, options) =>
      texts.some((text) => text.length > 50_000)
        ? Promise.reject(new Error('maximum context length exceeded'))
        : provider.embed(texts, options),
  })),
  'any Unicode': broken((provider) => ({
    embed: async (texts, options) =>
      (await provider.embed(texts, options)).map((vector, i) =>
        /[^\p{ASCII}]/u.test(texts[i] as string) ? new Float32Array(3) : vector,
      ),
  })),
  'any batch of any strings': broken((provider) => ({
    embed: async (texts, options) => [
      ...(await provider.embed(texts, options)),
      ...texts.filter((text) => text === '').map(() => new Float32Array(26)),
    ],
  })),
  'is deterministic when it says so': broken((provider) => ({
    embed: async (texts, options) =>
      (await provider.embed(texts, options)).map((vector) => vector.map((value) => value + Math.random())),
  })),
  'the signal has already fired': broken((provider) => ({
    embed: (texts) => provider.embed(texts),
  })),
  'the signal fires during the call': broken((provider) => ({
    embed: (texts, options) =>
      options?.signal?.aborted ? provider.embed(texts, options) : provider.embed(texts),
  })),
  'more texts than `maxBatchSize`': broken((provider) => ({
    embed: async (texts, options) => (await provider.embed(texts, options)).slice(0, provider.maxBatchSize),
  })),
  'finite numbers': vectorsOf(() => new Float32Array(26).fill(Number.NaN)),
};

describe('the conformance suite catches the provider that breaks each of its checks', () => {
  const options = resolveSuiteOptions({ hugeTextChars: 100_000, propertyRuns: 100 });
  it('has a breaker for every check', () => {
    for (const check of embeddingProviderChecks) {
      expect(
        Object.keys(breakers).some((key) => check.name.includes(key)),
        check.name,
      ).toBe(true);
    }
  });
  for (const [key, factory] of Object.entries(breakers)) {
    it(key, async () => {
      const check = embeddingProviderChecks.find((candidate) => candidate.name.includes(key))!;
      await expect(check.run(good, options)).resolves.toBeUndefined();
      await expect(check.run(factory, options)).rejects.toThrow();
    });
  }
  it('says what is wrong: a zero vector, a non-finite number, one direction for different texts', async () => {
    const named = (key: string) => embeddingProviderChecks.find((check) => check.name.includes(key))!;
    await expect(named('not all zeros').run(breakers['not all zeros']!, options)).rejects.toThrow(
      /got the zero vector/,
    );
    await expect(named('finite numbers').run(breakers['finite numbers']!, options)).rejects.toThrow(
      /holds NaN at 0: numbers must be finite/,
    );
    await expect(
      named('clearly different').run(breakers['clearly different texts different vectors']!, options),
    ).rejects.toThrow(/got the same direction \(cosine 1\.0000\)/);
  });
});
