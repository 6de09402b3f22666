import { defineEmbeddingProvider, type EmbeddingProviderV1, embedInSlices } from '@episodic/plugin';
import { z } from 'zod';
import { loadStaticModel } from './static-model.js';

export const staticEmbeddingsOptionsSchema = z.strictObject({
  /** Folder holding `tokenizer.json` and `model.safetensors` (what `episodic models pull` writes). */
  model: z.string().min(1),
  /**
   * Tokens per text that count; the rest of a longer text is ignored. 512, model2vec's own
   * `encode` default, under which its published MTEB figures were measured.
   */
  maxTokens: z.number().int().min(1).max(1_000_000).default(512),
  /** Texts per `embed` call that core sends at once; any number is accepted. model2vec's default batch. */
  maxBatchSize: z.number().int().min(1).max(100_000).default(1024),
  /** Scale each vector to unit length; defaults to the model's `config.json` (`normalize`), else true. */
  normalize: z.boolean().optional(),
});
export type StaticEmbeddingsOptions = z.input<typeof staticEmbeddingsOptionsSchema>;

/**
 * A local semantic embedding provider: a static model2vec model (such as `minishlab/potion-base-8M`)
 * run in plain TypeScript. Each text is tokenized with the model's own tokenizer and becomes the
 * mean of its tokens' rows in the embedding table: no neural network at query time, no native
 * module, no API key. The model is loaded, and checked, synchronously here.
 *
 * @example
 * const memory = await openMemory({ embeddings: createStaticEmbeddings({ model: './data/models/minishlab/potion-base-8M' }) });
 */
export const createStaticEmbeddings = defineEmbeddingProvider({
  name: 'static embeddings',
  options: staticEmbeddingsOptionsSchema,
  create: (options): EmbeddingProviderV1 => {
    const { maxTokens, maxBatchSize } = options;
    const model = loadStaticModel(options.model, { normalize: options.normalize });
    return {
      specificationVersion: 'v1',
      provider: 'static',
      // The token budget changes long texts' vectors, so it is part of the vector space's name.
      model: `${model.id}-max${maxTokens}`,
      dimensions: model.dimensions,
      maxBatchSize,
      deterministic: true,
      kind: 'semantic',
      embed: (texts, { signal } = {}) => embedInSlices(texts, (text) => model.embed(text, maxTokens), signal),
    };
  },
});
