import { setTimeout as sleep } from 'node:timers/promises';
import { PluginError } from '../plugin-error.js';
import { type HttpFailure, httpFailure, transportFailure } from './http-failure.js';
import { retryDelayMs } from './retry-delay.js';

/** How an HTTP provider talks to its API: every field has a default except the URL and body. */
export interface PostJsonOptions {
  /** The full URL to POST to. */
  url: string;
  /** Sent as JSON. */
  body: unknown;
  /**
   * Extra headers (an API key, a version header). `content-type` and `accept` are JSON unless
   * given; a header whose value is `undefined` is left out, so a missing key sends no header.
   */
  headers?: Readonly<Record<string, string | undefined>> | undefined;
  /** The `fetch` to use: inject one for a proxy, a custom agent, or a test. Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Aborts the call, also during a backoff wait: it then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Per attempt, from sending the request to the last byte of the answer. Default 30,000 ms. */
  timeoutMs?: number | undefined;
  /** Further attempts after a 429, a 5xx, a timeout or a network failure. Default 3. */
  maxRetries?: number | undefined;
  /** First backoff delay; each retry doubles it, half of it at random, up to `maxRetryDelayMs`. Default 500 ms. */
  retryBaseMs?: number | undefined;
  /** Longest wait before a retry, also when the server's `Retry-After` asks for longer. Default 60,000 ms. */
  maxRetryDelayMs?: number | undefined;
  /** Values that must never reach an error message (the API key): replaced by `[redacted]`. */
  secrets?: readonly (string | undefined)[] | undefined;
  /** What errors call the API: `The Cohere API`. Default `The server`. */
  service?: string | undefined;
  /** Added to the message of a 401/403 (`check COHERE_API_KEY`). */
  authHint?: string | undefined;
  /** The plugin making the call, named in its errors. */
  plugin?: string | undefined;
  /**
   * Reads the parsed JSON of a 2xx answer into what the caller wants, throwing (with a message
   * that names the service) when it is not that: the throw becomes a `BAD_RESPONSE` error with
   * the answer's `status` and the `attempts` made, as every other failure has. Default: the JSON as it is.
   */
  read?: ((body: unknown) => unknown) | undefined;
}

/** One request with its own timeout; the caller's abort propagates as it is. */
async function attempt(
  options: PostJsonOptions,
  timeoutMs: number,
): Promise<{ body: unknown; status: number } | HttpFailure> {
  const { signal } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const service = options.service ?? 'The server';
  try {
    const response = await (options.fetch ?? globalThis.fetch)(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(options.body),
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    if (!response.ok) return await httpFailure(response, service, options.secrets ?? [], options.authHint);
    const text = await response.text();
    try {
      return { body: JSON.parse(text) as unknown, status: response.status };
    } catch (cause) {
      return {
        code: 'BAD_RESPONSE',
        retry: false,
        // Python's json.dumps writes NaN and Infinity by default: the model produced non-numbers,
        // which is not the proxy page "not JSON" sends the reader looking for.
        message: /(?<![\w"])-?(?:NaN|Infinity)(?![\w"])/.test(text)
          ? `${service} answered JSON with NaN or Infinity in it (JSON has no such numbers): the model produced non-numbers.`
          : `${service} answered with something that is not JSON.`,
        status: response.status,
        cause,
      };
    }
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    return transportFailure(error, timeout.aborted, timeoutMs, options.url);
  }
}

/**
 * POSTs JSON and returns the parsed JSON answer of a 2xx, retrying what may pass on a second
 * try (429, 5xx, a timeout, a network failure) with exponential backoff and jitter, waiting as
 * long as the server's `Retry-After` / `retry-after-ms` asks (capped). Every other outcome is a
 * `PluginError` (`AUTH`, `BAD_REQUEST`, `RATE_LIMITED`, `SERVER`, `TIMEOUT`, `NETWORK`,
 * `BAD_RESPONSE`) with `status` and `attempts`, its message scrubbed of `secrets`. An abort
 * rejects with the signal's reason at once, also mid-request or during a backoff wait.
 *
 * @example
 * const body = await postJson({
 *   url: 'https://api.example.com/v1/embed',
 *   body: { texts, model },
 *   headers: { authorization: apiKey === undefined ? undefined : `Bearer ${apiKey}` },
 *   secrets: [apiKey],
 *   service: 'The Example API',
 *   signal,
 * });
 */
export async function postJson(options: PostJsonOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 3;
  options.signal?.throwIfAborted();
  for (let attempts = 1; ; attempts += 1) {
    const outcome = await attempt(options, timeoutMs);
    if ('body' in outcome) {
      if (options.read === undefined) return outcome.body;
      try {
        return options.read(outcome.body);
      } catch (cause) {
        throw new PluginError('BAD_RESPONSE', (cause as Error).message, {
          status: outcome.status,
          attempts,
          cause,
          plugin: options.plugin,
        });
      }
    }
    if (!outcome.retry || attempts > maxRetries) {
      const suffix = attempts > 1 ? ` (after ${attempts} attempts)` : '';
      throw new PluginError(outcome.code, `${outcome.message}${suffix}`, {
        status: outcome.status,
        attempts,
        cause: outcome.cause,
        plugin: options.plugin,
      });
    }
    const delay = retryDelayMs(
      attempts - 1,
      options.retryBaseMs ?? 500,
      options.maxRetryDelayMs ?? 60_000,
      outcome.retryAfterMs ?? null,
    );
    try {
      await sleep(delay, undefined, { signal: options.signal });
    } catch (error) {
      throw options.signal?.reason ?? error;
    }
  }
}
