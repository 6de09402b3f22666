import type { StandardSchemaV1 } from '@standard-schema/spec';
import { definePlugin, type PluginDefinition, type PluginFactory } from './define-plugin.js';
import type { EmbeddingProviderV1 } from './embedding-provider.js';
import { assertEmbeddingProvider } from './embedding-provider-check.js';

/**
 * Defines an embedding provider's factory. The factory validates its options with `options` (a
 * Standard Schema) and throws an `INVALID_OPTIONS` `PluginError` naming the provider and each
 * bad field; it then checks that what `create` returned honours `EmbeddingProviderV1` (a
 * `CONTRACT` error otherwise).
 *
 * @example
 * export const createAcmeEmbeddings = defineEmbeddingProvider({
 *   name: 'acme embeddings',
 *   options: z.strictObject({ baseURL: z.url().default('https://api.acme.dev'), dimensions: z.number().int().default(256) }),
 *   create: (options) => ({
 *     specificationVersion: 'v1',
 *     provider: 'acme',
 *     model: 'acme-embed-small',
 *     dimensions: options.dimensions,
 *     maxBatchSize: 64,
 *     deterministic: false,
 *     embed: (texts, { signal } = {}) => embedWithAcme(options, texts, signal),
 *   }),
 * });
 */
export function defineEmbeddingProvider<Schema extends StandardSchemaV1>(
  definition: PluginDefinition<Schema, EmbeddingProviderV1>,
): PluginFactory<Schema, EmbeddingProviderV1> {
  return definePlugin(definition, assertEmbeddingProvider);
}
