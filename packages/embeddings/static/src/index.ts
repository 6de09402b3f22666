export type { PulledFile } from './download-file.js';
export type { PullModelOptions, PullModelResult } from './pull-model.js';
export { defaultPullIdleTimeoutMs, pullModelOptionsSchema, pullStaticModel } from './pull-model.js';
export type { StaticEmbeddingsOptions } from './static-embeddings.js';
// The default export too: a server config that names a plugin package calls its default export.
export {
  createStaticEmbeddings,
  createStaticEmbeddings as default,
  staticEmbeddingsOptionsSchema,
} from './static-embeddings.js';
export type { StaticEmbeddingsErrorCode } from './static-embeddings-error.js';
export { StaticEmbeddingsError } from './static-embeddings-error.js';
export type { StaticModel } from './static-model.js';
export { loadStaticModel, modelFiles } from './static-model.js';
export type { Tokenizer } from './tokenizer.js';
export { parseTokenizer } from './tokenizer.js';
