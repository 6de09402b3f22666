import { testEmbeddingProvider } from '@episodic/plugin/testing';
import { describe, expect, it } from 'vitest';
import { createLocalEmbeddings, LocalEmbeddingsError } from './index.js';

testEmbeddingProvider(() => createLocalEmbeddings(), { name: 'local/hashed-ngrams-v1' });
testEmbeddingProvider(() => createLocalEmbeddings({ dimensions: 64, maxBatchSize: 7 }), {
  name: 'local, 64 dimensions, batches of 7',
});

function cosine(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);
}

async function similarity(left: string, right: string): Promise<number> {
  const [a, b] = await createLocalEmbeddings().embed([left, right]);
  return cosine(a as Float32Array, b as Float32Array);
}

describe('local embeddings', () => {
  it('returns unit vectors of the configured length, and the zero vector for text without content words', async () => {
    const provider = createLocalEmbeddings({ dimensions: 128 });
    expect(provider).toMatchObject({
      provider: 'local',
      model: 'hashed-ngrams-v1',
      dimensions: 128,
      deterministic: true,
    });
    const [vector, empty, stopwordsOnly] = await provider.embed([
      'deploy failed on staging',
      '',
      'and the of it is',
    ]);
    expect(vector).toHaveLength(128);
    expect(cosine(vector as Float32Array, vector as Float32Array)).toBeCloseTo(1, 5);
    expect((empty as Float32Array).every((value) => value === 0)).toBe(true);
    expect((stopwordsOnly as Float32Array).every((value) => value === 0)).toBe(true);
  });

  it('places texts that share content words closer than unrelated ones, ignoring function words', async () => {
    const related = await similarity(
      'the database connection pool is exhausted',
      'connection pool exhausted in the database',
    );
    const unrelated = await similarity(
      'the database connection pool is exhausted',
      'the button colour on the checkout page is wrong',
    );
    expect(related).toBeGreaterThan(0.8);
    expect(unrelated).toBeLessThan(0.1);
  });

  it('matches inflections and identifiers through character n-grams and identifier splitting', async () => {
    expect(await similarity('collecting vintage cameras', 'my camera collection')).toBeGreaterThan(0.25);
    expect(await similarity('refreshSession throws', 'refresh_session threw an error')).toBeGreaterThan(0.3);
    expect(await similarity('collecting vintage cameras', 'quarterly tax filing deadline')).toBeLessThan(0.1);
  });

  it('keeps some word order through bigrams', async () => {
    const same = await similarity('connection refused by server', 'connection refused by server');
    const swapped = await similarity('connection refused by server', 'server refused by connection');
    expect(same).toBeCloseTo(1, 5);
    expect(swapped).toBeLessThan(0.95);
  });

  it('refuses options outside their schema with a typed error naming the field', () => {
    expect(() => createLocalEmbeddings({ dimensions: 3 })).toThrow(LocalEmbeddingsError);
    expect(() => createLocalEmbeddings({ dimensions: 3 })).toThrow(/dimensions/);
    expect(() => createLocalEmbeddings({ extra: true } as never)).toThrow(/extra|Unrecognized/);
  });
});
