import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { embedWithinContext } from './embed-within-context.js';
import { OpenAIEmbeddingsError } from './openai-embeddings-error.js';
import { type OpenAIEmbeddingsOptions, openAIEmbeddingsOptionsSchema } from './openai-embeddings-options.js';

/**
 * An embedding provider for any server that speaks OpenAI's `POST /embeddings`: OpenAI itself,
 * Azure-style proxies, Ollama, vLLM, LM Studio, llama.cpp's server. The API key is read from
 * the environment (`OPENAI_API_KEY` by default) at each request and never appears in errors.
 *
 * @example
 * const embeddings = createOpenAIEmbeddings({ model: 'text-embedding-3-small', dimensions: 512 });
 * const memory = await openMemory({ embeddings });
 */
export function createOpenAIEmbeddings(input: OpenAIEmbeddingsOptions = {}): EmbeddingProviderV1 {
  const parsed = openAIEmbeddingsOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`)
      .join('; ');
    throw new OpenAIEmbeddingsError('INVALID_OPTIONS', `Invalid OpenAI embeddings options: ${detail}`, {
      cause: parsed.error,
    });
  }
  const options = parsed.data;
  return {
    specificationVersion: 'v1',
    provider: 'openai',
    model: options.model,
    dimensions: options.dimensions,
    maxBatchSize: options.maxBatchSize,
    deterministic: options.deterministic,
    embed: (texts, { signal } = {}) => embedWithinContext(texts, options, signal),
  };
}
