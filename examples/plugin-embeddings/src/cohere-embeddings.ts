import { defineEmbeddingProvider, embedBatched, PluginError, postJson, readVector } from '@episodic/plugin';
import {
  cohereEmbeddingsOptionsSchema,
  type ResolvedCohereEmbeddingsOptions,
} from './cohere-embeddings-options.js';

const plugin = 'cohere embeddings';

/** Cohere's v2 answer: `{ embeddings: { float: number[][] } }`, one vector per text, in order. */
function readEmbeddings(body: unknown, count: number, dimensions: number): Float32Array[] {
  const vectors = (body as { embeddings?: { float?: unknown } } | null)?.embeddings?.float;
  if (!Array.isArray(vectors) || vectors.length !== count) {
    const got = Array.isArray(vectors) ? `${vectors.length} embeddings` : 'no `embeddings.float` array';
    throw new PluginError('BAD_RESPONSE', `Cohere answered with ${got} for ${count} texts.`, { plugin });
  }
  return vectors.map((vector, index) => readVector(vector, dimensions, `embedding ${index}`, plugin));
}

async function embedBatch(
  texts: string[],
  options: ResolvedCohereEmbeddingsOptions,
  signal: AbortSignal | undefined,
): Promise<Float32Array[]> {
  // Read at each request: a rotated key needs no restart, and the key lives in no object.
  const apiKey = process.env[options.apiKeyEnv] || undefined;
  const body = await postJson({
    url: `${options.baseURL}/v2/embed`,
    body: {
      model: options.model,
      texts,
      input_type: options.inputType,
      embedding_types: ['float'],
      truncate: 'END',
      ...(options.model === 'embed-v4.0' ? { output_dimension: options.dimensions } : {}),
    },
    headers: { ...options.headers, authorization: apiKey === undefined ? undefined : `Bearer ${apiKey}` },
    fetch: options.fetch,
    signal,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    secrets: [apiKey],
    service: 'The Cohere API',
    authHint: apiKey === undefined ? `${options.apiKeyEnv} is not set` : `check ${options.apiKeyEnv}`,
    plugin,
  });
  return readEmbeddings(body, texts.length, options.dimensions);
}

/**
 * An embedding provider for Cohere's embed API (`POST /v2/embed`). Batching, retries with
 * backoff (honouring `Retry-After`), timeouts and aborts come from `@episodic/plugin`; this file
 * only speaks Cohere's wire format. Errors are `PluginError`s naming `cohere embeddings`.
 *
 * @example
 * const memory = await openMemory({ embeddings: createCohereEmbeddings({ model: 'embed-v4.0', dimensions: 512 }) });
 */
export const createCohereEmbeddings = defineEmbeddingProvider({
  name: plugin,
  options: cohereEmbeddingsOptionsSchema,
  create: (options) => ({
    specificationVersion: 'v1',
    provider: 'cohere',
    // The input type shapes the vectors, so it is part of what the stamp must tell apart.
    model: options.inputType === 'search_document' ? options.model : `${options.model}:${options.inputType}`,
    dimensions: options.dimensions,
    maxBatchSize: options.maxBatchSize,
    deterministic: false,
    kind: 'semantic',
    embed: (texts, { signal } = {}) =>
      embedBatched(texts, { ...options, signal }, (batch) => embedBatch(batch, options, signal)),
  }),
});
