import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { z } from 'zod';
import { hashedNgramVector } from './hashed-ngrams.js';
import { LocalEmbeddingsError } from './local-embeddings-error.js';

/** Name of the vector space; bump it whenever a change alters any vector, so stores ask for `reindex`. */
export const localEmbeddingsModel = 'hashed-ngrams-v1';

export const localEmbeddingsOptionsSchema = z.strictObject({
  /** Length of the vectors. More buckets mean fewer hash collisions and more memory per vector. */
  dimensions: z.number().int().min(8).max(4096).default(384),
  /** Texts per `embed` call that core sends at once; any number is accepted. */
  maxBatchSize: z.number().int().min(1).max(100_000).default(256),
});
export type LocalEmbeddingsOptions = z.input<typeof localEmbeddingsOptionsSchema>;

/** Longest stretch of work between two chances for timers, I/O and an abort to run. */
const sliceMs = 8;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Episodic's default embedding provider: offline, with no model file, deterministic. Each text
 * becomes a signed hashing of its content words, word bigrams and character n-grams with
 * sublinear term weights (see the README). It finds texts that share words or word parts,
 * including inflections and identifiers, not synonyms.
 *
 * @example
 * const memory = await openMemory({ embeddings: createLocalEmbeddings() });
 */
export function createLocalEmbeddings(options: LocalEmbeddingsOptions = {}): EmbeddingProviderV1 {
  const parsed = localEmbeddingsOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`)
      .join('; ');
    throw new LocalEmbeddingsError('INVALID_OPTIONS', `Invalid local embeddings options: ${detail}`, {
      cause: parsed.error,
    });
  }
  const { dimensions, maxBatchSize } = parsed.data;
  return {
    specificationVersion: 'v1',
    provider: 'local',
    model: localEmbeddingsModel,
    dimensions,
    maxBatchSize,
    deterministic: true,
    kind: 'lexical',
    async embed(texts, { signal } = {}) {
      if (signal?.aborted) throw abortError(signal);
      const vectors: Float32Array[] = [];
      let sliceStart = performance.now();
      for (const text of texts) {
        vectors.push(hashedNgramVector(text, dimensions));
        if (performance.now() - sliceStart > sliceMs) {
          // Long batches must not hold the event loop, and an abort can only be seen between slices.
          await yieldToEventLoop();
          if (signal?.aborted) throw abortError(signal);
          sliceStart = performance.now();
        }
      }
      if (signal?.aborted) throw abortError(signal);
      return vectors;
    },
  };
}
