const marker = Symbol.for('episodic.server.error');

/**
 * What stopped the server or the CLI, as a stable string:
 * - `CONFIG`: flags, environment or config file hold a value the server cannot use;
 * - `TLS`: the certificate or key cannot be read or do not form a pair;
 * - `LISTEN`: the address is taken or not allowed;
 * - `USAGE`: the command line is not a command the CLI knows;
 * - `IN_USE`: a running server holds the store a command would replace (restore, rekey);
 * - `FAILED`: a maintenance command found a problem it reports (a backup that does not verify);
 * - `UNAVAILABLE`: a part of a running server is down for now (the learning thread, until it is
 *   started again); a client is answered 503 and may try again.
 */
export type ServerErrorCode = 'CONFIG' | 'TLS' | 'LISTEN' | 'USAGE' | 'IN_USE' | 'FAILED' | 'UNAVAILABLE';

/** The only error class `@episodic/server` throws on purpose (engine errors stay `EpisodicError`). */
export class ServerError extends Error {
  readonly [marker] = true;
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerError';
    this.code = code;
  }

  /** True also for a `ServerError` from a second copy of this package. */
  static isInstance(value: unknown): value is ServerError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
