const marker = Symbol.for('episodic.embeddings-local.error');

/** - `INVALID_OPTIONS`: `createLocalEmbeddings` was given options outside their schema. */
export type LocalEmbeddingsErrorCode = 'INVALID_OPTIONS';

/** The only error `@episodic/embeddings-local` throws on purpose. */
export class LocalEmbeddingsError extends Error {
  readonly [marker] = true;
  readonly code: LocalEmbeddingsErrorCode;

  constructor(code: LocalEmbeddingsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LocalEmbeddingsError';
    this.code = code;
  }

  /** True also for an error from a second copy of this package. */
  static isInstance(value: unknown): value is LocalEmbeddingsError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
