export { createCohereEmbeddings } from './cohere-embeddings.js';
export type {
  CohereEmbeddingsOptions,
  ResolvedCohereEmbeddingsOptions,
} from './cohere-embeddings-options.js';
export { cohereEmbeddingsOptionsSchema, cohereModelDimensions } from './cohere-embeddings-options.js';
