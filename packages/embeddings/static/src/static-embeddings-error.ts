const marker = Symbol.for('episodic.embeddings-static.error');

/**
 * - `INVALID_OPTIONS`: `pullStaticModel` options outside their schema (the message names the
 *   field); the provider factory's own options fail as the plugin contract's `PluginError`.
 * - `MODEL_NOT_FOUND`: no model folder, or a file it needs is missing (locally or on the hub).
 * - `MODEL_INVALID`: a model file is damaged: unreadable JSON, a truncated or inconsistent
 *   safetensors file, token ids past the embedding table.
 * - `MODEL_UNSUPPORTED`: a well-formed model this package cannot run (a tokenizer type or a
 *   tensor dtype outside the subset it implements; the message names it).
 * - `DOWNLOAD_FAILED`: the hub answered with an error, a download broke off, or did not match its size or checksum.
 * - `DOWNLOAD_STALLED`: nothing came from the hub for `idleTimeoutMs` (its answer, or the next bytes of a file).
 * - `OFFLINE`: the hub could not be reached at all.
 */
export type StaticEmbeddingsErrorCode =
  | 'INVALID_OPTIONS'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_UNSUPPORTED'
  | 'DOWNLOAD_FAILED'
  | 'DOWNLOAD_STALLED'
  | 'OFFLINE';

/** The only error `@episodic/embeddings-static` throws on purpose. */
export class StaticEmbeddingsError extends Error {
  readonly [marker] = true;
  readonly code: StaticEmbeddingsErrorCode;

  constructor(code: StaticEmbeddingsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StaticEmbeddingsError';
    this.code = code;
  }

  /** True also for an error from a second copy of this package. */
  static isInstance(value: unknown): value is StaticEmbeddingsError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
