export type { ModelHub, ModelHubOptions } from './serve-model-hub.js';
export { serveModelHub } from './serve-model-hub.js';
export type { StaticModelSpec, TensorSpec } from './write-static-model.js';
export { bertTokenizerJson, defaultRow, safetensorsBytes, writeStaticModel } from './write-static-model.js';
