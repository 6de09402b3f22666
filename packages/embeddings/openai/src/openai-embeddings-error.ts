const marker = Symbol.for('episodic.embeddings-openai.error');

/**
 * What went wrong, as a stable string a caller can switch on.
 *
 * - `INVALID_OPTIONS`: `createOpenAIEmbeddings` was given options outside their schema.
 * - `AUTH`: the server refused the credentials (HTTP 401 or 403). Not retried.
 * - `BAD_REQUEST`: the server refused the request itself (another 4xx: unknown model, input
 *   too long, bad dimensions). Not retried.
 * - `RATE_LIMITED`: HTTP 429 on every attempt.
 * - `SERVER`: HTTP 5xx on every attempt.
 * - `TIMEOUT`: no complete answer within `timeoutMs`, on every attempt.
 * - `NETWORK`: the connection failed (refused, reset, DNS), on every attempt.
 * - `BAD_RESPONSE`: the server answered 2xx with something that is not a valid embeddings
 *   response (not JSON, wrong count, wrong length, non-numbers). Not retried.
 */
export type OpenAIEmbeddingsErrorCode =
  | 'INVALID_OPTIONS'
  | 'AUTH'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'SERVER'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'BAD_RESPONSE';

export interface OpenAIEmbeddingsErrorOptions {
  cause?: unknown;
  /** The HTTP status of the last answer, when there was one. */
  status?: number | undefined;
  /** Requests made before giving up (1 + retries). */
  attempts?: number | undefined;
}

/**
 * The only error `@episodic/embeddings-openai` throws on purpose (an abort rejects with the
 * signal's `AbortError` instead). Its message never contains the API key.
 */
export class OpenAIEmbeddingsError extends Error {
  readonly [marker] = true;
  readonly code: OpenAIEmbeddingsErrorCode;
  readonly status: number | null;
  readonly attempts: number;

  constructor(code: OpenAIEmbeddingsErrorCode, message: string, options: OpenAIEmbeddingsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpenAIEmbeddingsError';
    this.code = code;
    this.status = options.status ?? null;
    this.attempts = options.attempts ?? 0;
  }

  /** True also for an error from a second copy of this package. */
  static isInstance(value: unknown): value is OpenAIEmbeddingsError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
