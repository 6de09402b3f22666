export type { LocalEmbeddingsOptions } from './local-embeddings.js';
export {
  createLocalEmbeddings,
  localEmbeddingsModel,
  localEmbeddingsOptionsSchema,
} from './local-embeddings.js';
export type { LocalEmbeddingsErrorCode } from './local-embeddings-error.js';
export { LocalEmbeddingsError } from './local-embeddings-error.js';
