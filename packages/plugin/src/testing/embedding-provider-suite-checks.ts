import fc from 'fast-check';
import { expect } from 'vitest';
import type { EmbeddingProviderV1 } from '../embedding-provider.js';

export interface EmbeddingProviderSuiteOptions {
  /** Prefix of the `describe` block; defaults to the provider's `provider/model`. */
  name?: string;
  /** Per-test timeout in ms, for providers behind a (loopback) network or on a loaded machine. Default 3 min. */
  timeoutMs?: number;
  /**
   * How long one `embed()` call may take before its check fails saying it did not settle (and
   * every later check fails at once). Default half of `timeoutMs`, at most 60 s.
   */
  callTimeoutMs?: number;
  /** Length of the "huge input" text, in characters. Default 1,000,000. */
  hugeTextChars?: number;
  /** Random batches (fast-check) to embed, one `embed` call each. Default 25. */
  propertyRuns?: number;
}

/** Builds a fresh provider for each test; may be async (a provider behind a test server). */
export type EmbeddingProviderFactory = () => EmbeddingProviderV1 | Promise<EmbeddingProviderV1>;

export type ResolvedEmbeddingProviderSuiteOptions = Required<Omit<EmbeddingProviderSuiteOptions, 'name'>>;
type Resolved = ResolvedEmbeddingProviderSuiteOptions;

export interface EmbeddingProviderCheck {
  name: string;
  run(factory: EmbeddingProviderFactory, options: Resolved): Promise<void>;
}

const unicodeTexts = [
  'naïve café — déjà vu',
  '東京の天気は晴れです',
  'مرحبا بالعالم',
  '🙂🚀🔥 emoji only 👩‍💻',
  'e\u0301 combining accents a\u0308',
  'lone surrogate \ud800 here',
  'null \u0000 and control \u0007 characters',
];

/** Ordinary English on three unrelated subjects: any model, lexical or semantic, tells them apart. */
const ordinaryTexts = [
  'the build fails on a missing env var',
  'users cannot reset their password',
  'p95 latency doubled after deploy',
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
  expect(Array.isArray(vectors), 'embed() did not resolve to an array').toBe(true);
  expect((vectors as unknown[]).length, 'embed() returned a vector count other than the text count').toBe(
    count,
  );
  (vectors as unknown[]).forEach((vector, index) => {
    expect(vector, `vector ${index} is not a Float32Array`).toBeInstanceOf(Float32Array);
    expect((vector as Float32Array).length, `vector ${index} is not of length \`dimensions\``).toBe(
      provider.dimensions,
    );
    const bad = (vector as Float32Array).findIndex((value) => !Number.isFinite(value));
    expect(
      bad,
      `vector ${index} holds ${(vector as Float32Array)[bad]} at ${bad}: numbers must be finite`,
    ).toBe(-1);
  });
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

/** Every check `testEmbeddingProvider` runs, in order. Exported so the suite itself can be tested. */
export const embeddingProviderChecks: readonly EmbeddingProviderCheck[] = [
  {
    name: 'declares the v1 contract',
    async run(factory) {
      const provider = await factory();
      expect(provider.specificationVersion).toBe('v1');
      expect(typeof provider.provider === 'string' && provider.provider.length > 0).toBe(true);
      expect(typeof provider.model === 'string' && provider.model.length > 0).toBe(true);
      expect(Number.isInteger(provider.dimensions) && provider.dimensions > 0).toBe(true);
      expect(Number.isInteger(provider.maxBatchSize) && provider.maxBatchSize > 0).toBe(true);
      expect(typeof provider.deterministic).toBe('boolean');
      expect(typeof provider.embed).toBe('function');
    },
  },
  {
    name: 'returns one vector of `dimensions` finite numbers per text, in order',
    async run(factory) {
      const provider = await factory();
      const forward = await provider.embed(ordinaryTexts);
      const backward = await provider.embed([...ordinaryTexts].reverse());
      expectVectors(provider, forward, 3);
      expectVectors(provider, backward, 3);
      for (const [i, text] of ordinaryTexts.entries()) {
        // Against the text alone too: a provider that reverses its answers passes the reversed batch.
        const [alone] = await provider.embed([text]);
        expectSameEmbedding(provider, forward[i] as Float32Array, alone as Float32Array);
        expectSameEmbedding(provider, forward[i] as Float32Array, backward[2 - i] as Float32Array);
      }
      expect(await provider.embed([])).toEqual([]);
    },
  },
  {
    // Zeros are what core stores for a text with nothing to represent: it then matches nothing.
    name: 'gives ordinary text a vector that is not all zeros',
    async run(factory) {
      const provider = await factory();
      const vectors = await provider.embed(ordinaryTexts);
      expectVectors(provider, vectors, ordinaryTexts.length);
      vectors.forEach((vector, i) =>
        expect(
          vector.some((value) => value !== 0),
          `"${ordinaryTexts[i]}" got the zero vector: only a text with nothing to represent (empty, whitespace) may`,
        ).toBe(true),
      );
    },
  },
  {
    name: 'gives clearly different texts different vectors',
    async run(factory) {
      const provider = await factory();
      const vectors = await provider.embed(ordinaryTexts);
      expectVectors(provider, vectors, ordinaryTexts.length);
      for (let a = 0; a < vectors.length; a += 1) {
        for (let b = a + 1; b < vectors.length; b += 1) {
          const similarity = cosine(vectors[a] as Float32Array, vectors[b] as Float32Array);
          expect(
            similarity,
            `"${ordinaryTexts[a]}" and "${ordinaryTexts[b]}" got the same direction (cosine ${similarity.toFixed(4)}): retrieval could not tell them apart`,
          ).toBeLessThan(0.99);
        }
      }
    },
  },
  {
    name: 'embeds the empty string and whitespace',
    async run(factory) {
      const provider = await factory();
      expectVectors(provider, await provider.embed(['', ' ', '\n\t  ']), 3);
    },
  },
  {
    name: 'embeds a huge text without failing',
    async run(factory, options) {
      const provider = await factory();
      const huge = 'error: connection reset by peer while reading the response body. '
        .repeat(Math.ceil(options.hugeTextChars / 66))
        .slice(0, options.hugeTextChars);
      expectVectors(provider, await provider.embed([huge, 'short']), 2);
    },
  },
  {
    name: 'embeds any Unicode: accents, CJK, RTL, emoji, combining marks, lone surrogates, control characters',
    async run(factory) {
      const provider = await factory();
      const vectors = await provider.embed(unicodeTexts);
      expectVectors(provider, vectors, unicodeTexts.length);
      const again = await provider.embed(unicodeTexts.slice(1, 2));
      expectSameEmbedding(provider, again[0] as Float32Array, vectors[1] as Float32Array);
    },
  },
  {
    name: 'embeds any batch of any strings (fast-check): one finite vector of `dimensions` per text',
    async run(factory, options) {
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
        { numRuns: options.propertyRuns },
      );
    },
  },
  {
    name: 'is deterministic when it says so: the same text gives the same vector, also from a second instance',
    async run(factory) {
      const provider = await factory();
      if (!provider.deterministic) return;
      const text = 'TypeError: Cannot read properties of undefined (reading "map") at render (List.tsx:42)';
      const [first] = await provider.embed([text]);
      const [second] = await provider.embed([text]);
      const [other] = await (await factory()).embed([text]);
      expect(Array.from(second as Float32Array)).toEqual(Array.from(first as Float32Array));
      expect(Array.from(other as Float32Array)).toEqual(Array.from(first as Float32Array));
    },
  },
  {
    name: 'rejects with an AbortError when the signal has already fired, doing no work',
    async run(factory) {
      const provider = await factory();
      const error = await provider.embed(['anything'], { signal: AbortSignal.abort() }).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(isAbortError(error)).toBe(true);
    },
  },
  {
    name: 'rejects with an AbortError when the signal fires during the call',
    async run(factory) {
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
    },
  },
  {
    name: 'accepts more texts than `maxBatchSize` in one call, keeping their order',
    async run(factory) {
      const provider = await factory();
      const texts = numberedTexts(provider.maxBatchSize * 2 + 3);
      const vectors = await provider.embed(texts);
      expectVectors(provider, vectors, texts.length);
      for (const position of [0, provider.maxBatchSize - 1, provider.maxBatchSize, texts.length - 1]) {
        const [alone] = await provider.embed([texts[position] as string]);
        expectSameEmbedding(provider, vectors[position] as Float32Array, alone as Float32Array);
      }
    },
  },
];

export function resolveSuiteOptions(options: EmbeddingProviderSuiteOptions): Resolved {
  return {
    timeoutMs: options.timeoutMs ?? 180_000,
    callTimeoutMs: options.callTimeoutMs ?? Math.min(60_000, (options.timeoutMs ?? 180_000) / 2),
    hugeTextChars: options.hugeTextChars ?? 1_000_000,
    propertyRuns: options.propertyRuns ?? 25,
  };
}
