import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { describe, expect, it } from 'vitest';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { embedTexts } from './embed-texts.js';

function brokenProvider(embed: EmbeddingProviderV1['embed']): EmbeddingProviderV1 {
  return {
    specificationVersion: 'v1',
    provider: 'broken',
    model: 'm',
    dimensions: 4,
    maxBatchSize: 8,
    deterministic: true,
    embed,
  };
}

describe('embedTexts', () => {
  it('sends at most maxBatchSize texts per call and returns unit vectors in order', async () => {
    const embeddings = createTestEmbeddings({ maxBatchSize: 3, dimensions: 32 });
    const texts = Array.from({ length: 7 }, (_, i) => `text number ${i} about invoices`);
    const vectors = await embedTexts(embeddings.provider, texts);
    expect(embeddings.calls.map((call) => call.length)).toEqual([3, 3, 1]);
    expect(embeddings.embeddedTexts()).toEqual(texts);
    expect(vectors).toHaveLength(7);
    for (const vector of vectors)
      expect(vector.reduce((sum, value) => sum + value * value, 0)).toBeCloseTo(1, 5);
  });

  it('refuses vectors that break the contract, with an EMBEDDING error', async () => {
    const cases: [string, EmbeddingProviderV1['embed'], RegExp][] = [
      ['count', async () => [new Float32Array(4)], /asked for 2 vectors, got 1/],
      [
        'length',
        async (texts) => texts.map(() => new Float32Array(3)),
        /vector 0 is not a Float32Array of 4 numbers: it is a Float32Array of 3$/,
      ],
      [
        'type',
        async (texts) => texts.map(() => [1, 2, 3, 4] as unknown as Float32Array),
        /vector 0 is not a Float32Array of 4 numbers: it is an Array of 4$/,
      ],
      [
        'another typed array',
        async (texts) =>
          [new Float32Array(4), Float64Array.from(texts, () => 0)] as unknown as Float32Array[],
        /vector 1 is not a Float32Array of 4 numbers: it is a Float64Array of 2$/,
      ],
      [
        'finite',
        async (texts) => texts.map(() => Float32Array.from([1, Number.NaN, 0, 0])),
        /NaN or Infinity/,
      ],
    ];
    for (const [, embed, message] of cases) {
      await expect(embedTexts(brokenProvider(embed), ['a', 'b'])).rejects.toMatchObject({
        code: 'EMBEDDING',
        message,
      });
    }
  });

  it('wraps a provider failure keeping its cause, and lets an abort through as it is', async () => {
    const failure = new Error('HTTP 503 from the model server');
    const error = await embedTexts(
      brokenProvider(async () => Promise.reject(failure)),
      ['a'],
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'EMBEDDING',
      message: expect.stringContaining('HTTP 503'),
      cause: failure,
    });

    const aborted = await embedTexts(createTestEmbeddings().provider, ['a'], AbortSignal.abort()).catch(
      (caught: unknown) => caught,
    );
    expect((aborted as Error).name).toBe('AbortError');
  });
});
