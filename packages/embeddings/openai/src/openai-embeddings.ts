import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { OpenAIEmbeddingsError } from './openai-embeddings-error.js';
import { type OpenAIEmbeddingsOptions, openAIEmbeddingsOptionsSchema } from './openai-embeddings-options.js';
import { postEmbeddings } from './post-embeddings.js';

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

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
    async embed(texts, { signal } = {}) {
      signal?.throwIfAborted();
      const vectors: Float32Array[] = new Array(texts.length);
      // Servers refuse empty inputs; their vector is the zero vector without asking.
      const pending: number[] = [];
      texts.forEach((text, index) => {
        if (text.trim() === '') vectors[index] = new Float32Array(options.dimensions);
        else pending.push(index);
      });
      for (let start = 0; start < pending.length; start += options.maxBatchSize) {
        const batch = pending.slice(start, start + options.maxBatchSize);
        // Well-formed UTF-16 (lone surrogates become U+FFFD) and bounded in length.
        const inputs = batch.map((index) =>
          (texts[index] as string).slice(0, options.maxInputChars).replace(loneSurrogate, '\ufffd'),
        );
        const embedded = await postEmbeddings(inputs, options, signal);
        batch.forEach((index, position) => (vectors[index] = embedded[position] as Float32Array));
      }
      return vectors;
    },
  };
}
