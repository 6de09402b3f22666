const marker = Symbol.for('episodic.sdk.error');

/**
 * What the SDK itself refuses (server refusals arrive as tRPC's `TRPCClientError`, with the
 * server's code and field paths in `error.data`):
 * - `EPISODE_CLOSED`: a step was added to an episode handle after `complete()`.
 */
export type EpisodicClientErrorCode = 'EPISODE_CLOSED';

export class EpisodicClientError extends Error {
  readonly [marker] = true;
  readonly code: EpisodicClientErrorCode;

  constructor(code: EpisodicClientErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EpisodicClientError';
    this.code = code;
  }

  /** True also for an `EpisodicClientError` from a second copy of this package. */
  static isInstance(value: unknown): value is EpisodicClientError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
