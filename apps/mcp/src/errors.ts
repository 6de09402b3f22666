const marker = Symbol.for('episodic.mcp.error');

/**
 * - `USAGE`: the command line is wrong (unknown flag, `--url` without `EPISODIC_TOKEN`…).
 * - `HTTP`: the Streamable HTTP listener could not start (port in use…).
 * - `STDIO`: the stdio transport stopped reading its input (a message over its size limit).
 */
export type EpisodicMcpErrorCode = 'USAGE' | 'HTTP' | 'STDIO';

/** The only error class `@episodic/mcp` throws on purpose. */
export class EpisodicMcpError extends Error {
  readonly [marker] = true;
  readonly code: EpisodicMcpErrorCode;

  constructor(code: EpisodicMcpErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EpisodicMcpError';
    this.code = code;
  }

  static isInstance(value: unknown): value is EpisodicMcpError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
