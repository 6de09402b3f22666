import type { EmbeddingProviderV1 } from '@episodic/plugin';

export interface TestEmbeddingsOptions {
  dimensions?: number;
  model?: string;
  maxBatchSize?: number;
}

/**
 * A small real embedding provider for core's tests (core depends on no provider package): each
 * lower-cased word of three letters or more adds its character trigrams into signed hashed buckets,
 * so texts that share words or word parts are similar. It records what it was asked to embed,
 * and `failWith` makes later calls fail, as a provider that went down would.
 */
export function createTestEmbeddings(options: TestEmbeddingsOptions = {}) {
  const dimensions = options.dimensions ?? 256;
  const calls: string[][] = [];
  let failure: Error | null = null;
  const provider: EmbeddingProviderV1 = {
    specificationVersion: 'v1',
    provider: 'test',
    model: options.model ?? 'trigrams-v1',
    dimensions,
    maxBatchSize: options.maxBatchSize ?? 16,
    deterministic: true,
    async embed(texts, { signal } = {}) {
      signal?.throwIfAborted();
      if (failure !== null) throw failure;
      calls.push([...texts]);
      return texts.map((text) => {
        const vector = new Float32Array(dimensions);
        for (const word of text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []) {
          const framed = `^${word}$`;
          for (let i = 0; i + 3 <= framed.length; i += 1) {
            let hash = 0x811c9dc5;
            for (const char of framed.slice(i, i + 3))
              hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
            vector[hash % dimensions] = (vector[hash % dimensions] as number) + (hash & 0x80000000 ? -1 : 1);
          }
        }
        return vector;
      });
    },
  };
  return {
    provider,
    /** Every batch embedded so far, in order. */
    calls,
    /** Texts embedded so far, over all calls. */
    embeddedTexts: () => calls.flat(),
    failWith(error: Error | null) {
      failure = error;
    },
  };
}
