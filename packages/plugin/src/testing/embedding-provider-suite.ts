import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EmbeddingProviderV1 } from '../embedding-provider.js';

export interface EmbeddingProviderSuiteOptions {
  /** Prefix of the `describe` block; defaults to the provider's `provider/model`. */
  name?: string;
  /** Per-test timeout in ms, for providers behind a (loopback) network or on a loaded machine. Default 3 min. */
  timeoutMs?: number;
  /** Length of the "huge input" text, in characters. Default 1,000,000. */
  hugeTextChars?: number;
  /** Random batches (fast-check) to embed, one `embed` call each. Default 25. */
  propertyRuns?: number;
}

/** Builds a fresh provider for each test; may be async (a provider behind a test server). */
export type EmbeddingProviderFactory = () => EmbeddingProviderV1 | Promise<EmbeddingProviderV1>;

const unicodeTexts = [
  'naïve café — déjà vu',
  '東京の天気は晴れです',
  'مرحبا بالعالم',
  '🙂🚀🔥 emoji only 👩‍💻',
  'e\u0301 combining accents a\u0308',
  'lone surrogate \ud800 here',
  'null \u0000 and control \u0007 characters',
];

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += (a[i] as number) * (b[i] as number);
    normA += (a[i] as number) ** 2;
    normB += (b[i] as number) ** 2;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

function expectVectors(
  provider: EmbeddingProviderV1,
  vectors: unknown,
  count: number,
): asserts vectors is Float32Array[] {
  expect(Array.isArray(vectors)).toBe(true);
  expect((vectors as unknown[]).length).toBe(count);
  for (const vector of vectors as unknown[]) {
    expect(vector).toBeInstanceOf(Float32Array);
    expect((vector as Float32Array).length).toBe(provider.dimensions);
    expect((vector as Float32Array).every(Number.isFinite)).toBe(true);
  }
}

/** Same vector for deterministic providers; the same direction, near enough, for the others. */
function expectSameEmbedding(
  provider: EmbeddingProviderV1,
  actual: Float32Array,
  expected: Float32Array,
): void {
  if (provider.deterministic) expect(Array.from(actual)).toEqual(Array.from(expected));
  else expect(cosine(actual, expected)).toBeGreaterThan(0.99);
}

/** Distinct, ordinary texts: position `i` is recognisable by its own vector. */
function numberedTexts(count: number): string[] {
  const topics = [
    'database migration',
    'flaky login test',
    'invoice rounding',
    'docker build cache',
    'oauth token refresh',
  ];
  return Array.from(
    { length: count },
    (_, i) => `note ${i}: ${topics[i % topics.length]} seen in ticket ${i * 7919}`,
  );
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * The conformance suite of the `EmbeddingProviderV1` contract, for a provider package's own
 * tests (vitest): it registers a `describe` block with one test per promise of the contract.
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
  const timeout = options.timeoutMs ?? 180_000;
  const hugeChars = options.hugeTextChars ?? 1_000_000;

  describe(`${options.name ?? 'embedding provider'} conforms to EmbeddingProviderV1`, () => {
    it('declares the v1 contract', { timeout }, async () => {
      const provider = await factory();
      expect(provider.specificationVersion).toBe('v1');
      expect(typeof provider.provider === 'string' && provider.provider.length > 0).toBe(true);
      expect(typeof provider.model === 'string' && provider.model.length > 0).toBe(true);
      expect(Number.isInteger(provider.dimensions) && provider.dimensions > 0).toBe(true);
      expect(Number.isInteger(provider.maxBatchSize) && provider.maxBatchSize > 0).toBe(true);
      expect(typeof provider.deterministic).toBe('boolean');
      expect(typeof provider.embed).toBe('function');
    });

    it('returns one vector of `dimensions` finite numbers per text, in order', { timeout }, async () => {
      const provider = await factory();
      const texts = [
        'the build fails on a missing env var',
        'users cannot reset their password',
        'p95 latency doubled after deploy',
      ];
      const forward = await provider.embed(texts);
      const backward = await provider.embed([...texts].reverse());
      expectVectors(provider, forward, 3);
      expectVectors(provider, backward, 3);
      texts.forEach((_, i) =>
        expectSameEmbedding(provider, forward[i] as Float32Array, backward[2 - i] as Float32Array),
      );
      expect(cosine(forward[0] as Float32Array, forward[1] as Float32Array)).toBeLessThan(0.99);
      expect(await provider.embed([])).toEqual([]);
    });

    it('embeds the empty string and whitespace', { timeout }, async () => {
      const provider = await factory();
      expectVectors(provider, await provider.embed(['', ' ', '\n\t  ']), 3);
    });

    it(`embeds a huge text (${hugeChars.toLocaleString('en-US')} characters) without failing`, {
      timeout,
    }, async () => {
      const provider = await factory();
      const huge = 'error: connection reset by peer while reading the response body. '
        .repeat(Math.ceil(hugeChars / 66))
        .slice(0, hugeChars);
      expectVectors(provider, await provider.embed([huge, 'short']), 2);
    });

    it('embeds any Unicode: accents, CJK, RTL, emoji, combining marks, lone surrogates, control characters', {
      timeout,
    }, async () => {
      const provider = await factory();
      const vectors = await provider.embed(unicodeTexts);
      expectVectors(provider, vectors, unicodeTexts.length);
      const again = await provider.embed(unicodeTexts.slice(1, 2));
      expectSameEmbedding(provider, again[0] as Float32Array, vectors[1] as Float32Array);
    });

    it('embeds any batch of any strings (fast-check): one finite vector of `dimensions` per text', {
      timeout,
    }, async () => {
      const provider = await factory();
      const text = fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff'),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(text, { maxLength: 8 }), async (texts) => {
          expectVectors(provider, await provider.embed(texts), texts.length);
        }),
        { numRuns: options.propertyRuns ?? 25 },
      );
    });

    it('is deterministic when it says so: the same text gives the same vector, also from a second instance', {
      timeout,
    }, async (context) => {
      const provider = await factory();
      if (!provider.deterministic) {
        context.skip();
        return;
      }
      const text = 'TypeError: Cannot read properties of undefined (reading "map") at render (List.tsx:42)';
      const [first] = await provider.embed([text]);
      const [second] = await provider.embed([text]);
      const [other] = await (await factory()).embed([text]);
      expect(Array.from(second as Float32Array)).toEqual(Array.from(first as Float32Array));
      expect(Array.from(other as Float32Array)).toEqual(Array.from(first as Float32Array));
    });

    it('rejects with an AbortError when the signal has already fired, doing no work', {
      timeout,
    }, async () => {
      const provider = await factory();
      const error = await provider.embed(['anything'], { signal: AbortSignal.abort() }).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(isAbortError(error)).toBe(true);
    });

    it('rejects with an AbortError when the signal fires during the call', { timeout }, async () => {
      const provider = await factory();
      const controller = new AbortController();
      // Long texts, many of them: enough work that no provider can finish before the abort lands.
      const texts = numberedTexts(Math.max(2_000, provider.maxBatchSize * 3)).map((text) =>
        `${text} `.repeat(16),
      );
      const call = provider.embed(texts, { signal: controller.signal });
      controller.abort();
      const error = await call.then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(isAbortError(error)).toBe(true);
    });

    it('accepts more texts than `maxBatchSize` in one call, keeping their order', { timeout }, async () => {
      const provider = await factory();
      const texts = numberedTexts(provider.maxBatchSize * 2 + 3);
      const vectors = await provider.embed(texts);
      expectVectors(provider, vectors, texts.length);
      for (const position of [0, provider.maxBatchSize - 1, provider.maxBatchSize, texts.length - 1]) {
        const [alone] = await provider.embed([texts[position] as string]);
        expectSameEmbedding(provider, vectors[position] as Float32Array, alone as Float32Array);
      }
    });
  });
}
