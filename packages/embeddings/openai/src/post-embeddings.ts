import { PluginError, postJson } from '@episodic/plugin';
import { OpenAIEmbeddingsError, type OpenAIEmbeddingsErrorCode } from './openai-embeddings-error.js';
import type { ResolvedOpenAIEmbeddingsOptions } from './openai-embeddings-options.js';
import { parseEmbeddingsResponse } from './parse-embeddings-response.js';

/**
 * Headers that carry a credential (an Azure-style `api-key`, a proxy's `x-api-key` or token):
 * servers echo them back in errors as they do the bearer key, so their values are secrets too.
 */
const credentialHeader = /auth|key|token|secret|cookie|password/i;

/** `{baseURL}/embeddings`, the path added before a query (Azure's `?api-version=`), not after it. */
function embeddingsURL(baseURL: string): string {
  const url = new URL(baseURL);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/embeddings`;
  return url.href;
}

/**
 * POSTs `texts` to `{baseURL}/embeddings` (retries, backoff and `Retry-After` are
 * `@episodic/plugin`'s `postJson`), and reads the vectors in input order.
 */
export async function postEmbeddings(
  texts: readonly string[],
  options: ResolvedOpenAIEmbeddingsOptions,
  signal: AbortSignal | undefined,
): Promise<Float32Array[]> {
  const apiKey = process.env[options.apiKeyEnv] || undefined;
  try {
    return (await postJson({
      url: embeddingsURL(options.baseURL),
      body: {
        model: options.model,
        input: texts,
        encoding_format: 'float',
        ...(options.sendDimensions ? { dimensions: options.dimensions } : {}),
      },
      headers: { ...options.headers, authorization: apiKey === undefined ? undefined : `Bearer ${apiKey}` },
      fetch: options.fetch,
      signal,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      retryBaseMs: options.retryBaseMs,
      maxRetryDelayMs: options.maxRetryDelayMs,
      secrets: [
        apiKey,
        ...Object.entries(options.headers ?? {})
          .filter(([name]) => credentialHeader.test(name))
          .map(([, value]) => value),
      ],
      service: 'The embeddings server',
      authHint: apiKey === undefined ? `${options.apiKeyEnv} is not set` : `check ${options.apiKeyEnv}`,
      plugin: 'openai embeddings',
      // Read inside the call: a malformed answer then carries its status and the attempts made.
      read: (body) => parseEmbeddingsResponse(body, texts.length, options.dimensions),
    })) as Float32Array[];
  } catch (error) {
    if (!PluginError.isInstance(error)) throw error;
    throw new OpenAIEmbeddingsError(error.code as OpenAIEmbeddingsErrorCode, error.message, {
      status: error.status ?? undefined,
      attempts: error.attempts,
      cause: error,
    });
  }
}
