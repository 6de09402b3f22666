// The server loads a plugin package named in `episodic.config.mjs` by its default export: the factory.
export { createCohereEmbeddings, createCohereEmbeddings as default } from './cohere-embeddings.js';
export type {
  CohereEmbeddingsOptions,
  ResolvedCohereEmbeddingsOptions,
} from './cohere-embeddings-options.js';
export { cohereEmbeddingsOptionsSchema, cohereModelDimensions } from './cohere-embeddings-options.js';
