import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EmbeddingProviderV1 } from '../../embedding-provider.js';

/** A small real provider for the suite's own tests: letter counts of each text, in chunks that can be aborted. */
export function createLetterEmbeddings(): EmbeddingProviderV1 {
  const dimensions = 26;
  return {
    specificationVersion: 'v1',
    provider: 'test',
    model: 'letter-counts',
    dimensions,
    maxBatchSize: 32,
    deterministic: true,
    kind: 'lexical',
    async embed(texts, { signal } = {}) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += 32) {
        signal?.throwIfAborted();
        for (const text of texts.slice(start, start + 32)) {
          const vector = new Float32Array(dimensions);
          for (const char of text.toLowerCase().slice(0, 10_000)) {
            const letter = char.charCodeAt(0) - 97;
            if (letter >= 0 && letter < dimensions) vector[letter] = (vector[letter] as number) + 1;
          }
          vectors.push(vector);
        }
        await yieldToLoop();
      }
      signal?.throwIfAborted();
      return vectors;
    },
  };
}
