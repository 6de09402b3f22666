import type { PluginErrorCode } from '../plugin-error.js';
import { serverRetryDelayMs } from './retry-delay.js';
import { scrubSecrets } from './scrub-secrets.js';

/** What one attempt ended with, when it did not end with an answer. */
export interface HttpFailure {
  code: PluginErrorCode;
  message: string;
  /** Whether another attempt may succeed (429, 5xx, timeout, network). */
  retry: boolean;
  status?: number;
  /** The delay the server asked for (`Retry-After`, `retry-after-ms`), when it did. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

/** The message in an error body, whichever of the usual shapes it has; the raw text otherwise. */
function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown> | null;
    const error = body?.error;
    const candidates = [
      typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error,
      body?.message,
      body?.detail,
    ];
    const found = candidates.find((candidate) => typeof candidate === 'string');
    return typeof found === 'string' ? found : text;
  } catch {
    return text;
  }
}

/**
 * A server error that refuses the input, not an outage: llama.cpp's server answers an input past
 * its batch or context with HTTP 500 ("input (600 tokens) is too large to process. increase the
 * physical batch size (current batch size: 512)", "input is larger than the max context size",
 * "the request exceeds the available context size"). Sent again it fails again, however long the
 * wait; read as an outage, one long input held its whole batch back for good.
 */
const inputRefusal =
  /is too large to process|is larger than the max context size|exceeds the available context size/i;

/**
 * Classifies a non-2xx answer: 401/403 → `AUTH` and 4xx → `BAD_REQUEST` (final), 429 →
 * `RATE_LIMITED` and 5xx → `SERVER` (retried, after the server's `Retry-After` if given), except
 * a 5xx that refuses the input (`inputRefusal`), which is a `BAD_REQUEST`. The server's message
 * is kept, scrubbed of secrets.
 */
export async function httpFailure(
  response: Response,
  service: string,
  secrets: readonly (string | undefined)[],
  authHint: string | undefined,
): Promise<HttpFailure> {
  const { status } = response;
  if (status === 401 || status === 403) {
    await response.body?.cancel();
    const hint = authHint === undefined ? '' : `: ${authHint}`;
    return {
      code: 'AUTH',
      status,
      retry: false,
      message: `${service} refused the credentials (HTTP ${status})${hint}.`,
    };
  }
  const retryAfterMs = serverRetryDelayMs(response.headers);
  const text = await response.text().catch(() => '');
  const detail = scrubSecrets(messageOf(text).trim(), secrets) || '(no message)';
  if (status === 429) {
    return {
      code: 'RATE_LIMITED',
      status,
      retry: true,
      retryAfterMs,
      message: `Rate limited (HTTP 429): ${detail}`,
    };
  }
  if (status >= 500 && !inputRefusal.test(detail)) {
    return {
      code: 'SERVER',
      status,
      retry: true,
      retryAfterMs,
      message: `Server error (HTTP ${status}): ${detail}`,
    };
  }
  return {
    code: 'BAD_REQUEST',
    status,
    retry: false,
    message: `${service} refused the request (HTTP ${status}): ${detail}`,
  };
}

/** Classifies a request that got no answer: the attempt's timeout, or the network. */
export function transportFailure(
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  url: string,
): HttpFailure {
  if (timedOut) {
    return {
      code: 'TIMEOUT',
      retry: true,
      message: `No complete answer within ${timeoutMs} ms.`,
      cause: error,
    };
  }
  const reason = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = reason?.code ?? reason?.message ?? (error as Error).message;
  return { code: 'NETWORK', retry: true, message: `Could not reach ${url}: ${detail}.`, cause: error };
}
