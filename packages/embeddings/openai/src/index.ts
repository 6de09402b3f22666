export { createOpenAIEmbeddings } from './openai-embeddings.js';
export type { OpenAIEmbeddingsErrorCode, OpenAIEmbeddingsErrorOptions } from './openai-embeddings-error.js';
export { OpenAIEmbeddingsError } from './openai-embeddings-error.js';
export type {
  OpenAIEmbeddingsOptions,
  ResolvedOpenAIEmbeddingsOptions,
} from './openai-embeddings-options.js';
export { knownModelDimensions, openAIEmbeddingsOptionsSchema } from './openai-embeddings-options.js';
