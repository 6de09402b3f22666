const marker = Symbol.for('episodic.sdk.error');

/**
 * What the SDK itself refuses (server refusals arrive as tRPC's `TRPCClientError`, with the
 * server's code and field paths in `error.data`):
 * - `EPISODE_CLOSED`: a step was added to an episode handle after `complete()`.
 * - `UNEXPECTED_ANSWER`: the url answered, but not with the Episodic API's JSON (a wrong `url`, a
 *   proxy's error page); `status` is the answer's. It arrives as the `cause` of a `TRPCClientError`.
 * - `TIMEOUT`: a request got no answer within the client's `timeoutMs`; also the `cause` of a
 *   `TRPCClientError`. Not retried: the server may still run what it was sent.
 * - `UNREACHABLE`: no connection to the server could be made (refused, unknown host, no route, a
 *   TLS handshake that failed): the request was not sent. `cause` is fetch's error.
 * - `CONNECTION_LOST`: the connection closed before the answer came (the server stopped or
 *   restarted, a proxy cut it): the server may have run the call. `cause` is fetch's error.
 * - `ABORTED`: the call's `signal` aborted; `cause` is the signal's `reason`. The server may still
 *   run a call that was already sent.
 *
 * - `INVALID_OPTIONS`: `createEpisodicClient` or `createRemoteMemory` was given a `url` that is not
 *   an http(s) address or a `token` that is missing, empty or not sendable as a header; thrown there.
 *
 * All but `EPISODE_CLOSED` and `INVALID_OPTIONS` arrive as the `cause` of a `TRPCClientError`, which has no `data`.
 */
export type EpisodicClientErrorCode =
  | 'EPISODE_CLOSED'
  | 'UNEXPECTED_ANSWER'
  | 'TIMEOUT'
  | 'UNREACHABLE'
  | 'CONNECTION_LOST'
  | 'ABORTED'
  | 'INVALID_OPTIONS';

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
