const marker = Symbol.for('episodic.sdk.error');

/**
 * What the SDK itself refuses (server refusals arrive as tRPC's `TRPCClientError`, with the
 * server's code and field paths in `error.data`):
 * - `EPISODE_CLOSED`: a step was added to an episode handle after `complete()`.
 * - `UNEXPECTED_ANSWER`: the url answered, but not with the Episodic API's JSON (a wrong `url`, a
 *   proxy's error page); `status` is the answer's. It arrives as the `cause` of a `TRPCClientError`.
 * - `TIMEOUT`: a request got no answer within the client's `timeoutMs`; also the `cause` of a
 *   `TRPCClientError`. Not retried: the server may still run what it was sent.
 */
export type EpisodicClientErrorCode = 'EPISODE_CLOSED' | 'UNEXPECTED_ANSWER' | 'TIMEOUT';

export class EpisodicClientError extends Error {
  readonly [marker] = true;
  readonly code: EpisodicClientErrorCode;
  /** For `UNEXPECTED_ANSWER`: the HTTP status of that answer. */
  readonly status: number | undefined;

  constructor(
    code: EpisodicClientErrorCode,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EpisodicClientError';
    this.code = code;
    this.status = options.status;
  }

  /** True also for an `EpisodicClientError` from a second copy of this package. */
  static isInstance(value: unknown): value is EpisodicClientError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
