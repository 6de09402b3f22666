import { setTimeout as sleep } from 'node:timers/promises';
import { OpenAIEmbeddingsError, type OpenAIEmbeddingsErrorCode } from './openai-embeddings-error.js';
import type { ResolvedOpenAIEmbeddingsOptions } from './openai-embeddings-options.js';
import { parseEmbeddingsResponse } from './parse-embeddings-response.js';
import { retryDelayMs, serverRetryDelayMs } from './retry-delay.js';

/** What one attempt ended with, when it did not end with vectors. */
interface Failure {
  code: OpenAIEmbeddingsErrorCode;
  message: string;
  retry: boolean;
  status?: number;
  retryAfterMs?: number | null;
  cause?: unknown;
}

/** Removes the API key, and anything shaped like one, from text a server sent back. */
function scrub(text: string, apiKey: string | undefined): string {
  const withoutKey = apiKey === undefined || apiKey === '' ? text : text.split(apiKey).join('[redacted]');
  return withoutKey.replace(/\b(sk|key|Bearer)[-_ ][A-Za-z0-9_*.-]{6,}/g, '[redacted]').slice(0, 300);
}

async function serverMessage(response: Response, apiKey: string | undefined): Promise<string> {
  const text = await response.text().catch(() => '');
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string };
    message = typeof parsed.error === 'string' ? parsed.error : String(parsed.error?.message ?? text);
  } catch {
    // not JSON: the text itself
  }
  return scrub(message.trim(), apiKey) || '(no message)';
}

async function statusFailure(
  response: Response,
  options: ResolvedOpenAIEmbeddingsOptions,
  apiKey: string | undefined,
): Promise<Failure> {
  const { status } = response;
  if (status === 401 || status === 403) {
    await response.body?.cancel();
    const hint = apiKey === undefined ? `${options.apiKeyEnv} is not set` : `check ${options.apiKeyEnv}`;
    return {
      code: 'AUTH',
      status,
      retry: false,
      message: `The embeddings server refused the credentials (HTTP ${status}): ${hint}.`,
    };
  }
  const retryAfterMs = serverRetryDelayMs(response.headers);
  const detail = await serverMessage(response, apiKey);
  if (status === 429)
    return {
      code: 'RATE_LIMITED',
      status,
      retry: true,
      retryAfterMs,
      message: `Rate limited (HTTP 429): ${detail}`,
    };
  if (status >= 500)
    return {
      code: 'SERVER',
      status,
      retry: true,
      retryAfterMs,
      message: `Server error (HTTP ${status}): ${detail}`,
    };
  return {
    code: 'BAD_REQUEST',
    status,
    retry: false,
    message: `The embeddings server refused the request (HTTP ${status}): ${detail}`,
  };
}

/** One request: a timeout of its own, the caller's abort, and a classified failure. */
async function attempt(
  texts: readonly string[],
  options: ResolvedOpenAIEmbeddingsOptions,
  apiKey: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Float32Array[] | Failure> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const body = {
    model: options.model,
    input: texts,
    encoding_format: 'float',
    ...(options.sendDimensions ? { dimensions: options.dimensions } : {}),
  };
  try {
    const response = await fetch(`${options.baseURL}/embeddings`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
      },
      body: JSON.stringify(body),
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    if (!response.ok) return await statusFailure(response, options, apiKey);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new OpenAIEmbeddingsError(
        'BAD_RESPONSE',
        'The embeddings server answered with something that is not JSON.',
        { cause },
      );
    }
    return parseEmbeddingsResponse(parsed, texts.length, options.dimensions);
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if (OpenAIEmbeddingsError.isInstance(error)) throw error;
    if (timeout.aborted)
      return {
        code: 'TIMEOUT',
        retry: true,
        message: `No complete answer within ${options.timeoutMs} ms.`,
        cause: error,
      };
    const reason = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = reason?.code ?? reason?.message ?? (error as Error).message;
    return {
      code: 'NETWORK',
      retry: true,
      message: `Could not reach ${options.baseURL}: ${detail}.`,
      cause: error,
    };
  }
}

/** POSTs `texts` to `{baseURL}/embeddings`, retrying transient failures with backoff. */
export async function postEmbeddings(
  texts: readonly string[],
  options: ResolvedOpenAIEmbeddingsOptions,
  signal: AbortSignal | undefined,
): Promise<Float32Array[]> {
  const apiKey = process.env[options.apiKeyEnv] || undefined;
  for (let attempts = 1; ; attempts += 1) {
    const outcome = await attempt(texts, options, apiKey, signal);
    if (Array.isArray(outcome)) return outcome;
    if (!outcome.retry || attempts > options.maxRetries) {
      const suffix = attempts > 1 ? ` (after ${attempts} attempts)` : '';
      throw new OpenAIEmbeddingsError(outcome.code, `${outcome.message}${suffix}`, {
        status: outcome.status,
        attempts,
        cause: outcome.cause,
      });
    }
    const delay = retryDelayMs(
      attempts - 1,
      options.retryBaseMs,
      options.maxRetryDelayMs,
      outcome.retryAfterMs ?? null,
    );
    try {
      await sleep(delay, undefined, { signal });
    } catch (error) {
      throw signal?.reason ?? error;
    }
  }
}
