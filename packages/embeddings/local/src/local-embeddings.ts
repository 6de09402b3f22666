import { type EmbeddingProviderV1, embedInSlices } from '@episodic/plugin';
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
    embed: (texts, { signal } = {}) =>
      embedInSlices(texts, (text) => hashedNgramVector(text, dimensions), signal),
  };
}
