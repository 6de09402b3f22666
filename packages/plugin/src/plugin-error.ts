const marker = Symbol.for('episodic.plugin.error');

/**
 * What went wrong, as a stable string a caller can switch on.
 *
 * - `INVALID_OPTIONS`: a plugin factory was given options its schema refuses; `issues` names each
 *   field path.
 * - `CONTRACT`: a value offered as a plugin does not implement its contract (a missing field, a
 *   pattern type that is not snake_case); `issues` names each broken promise.
 * - `AUTH`: an HTTP API refused the credentials (401 or 403). Not retried.
 * - `BAD_REQUEST`: an HTTP API refused the request itself (another 4xx). Not retried.
 * - `RATE_LIMITED`: HTTP 429 on every attempt.
 * - `SERVER`: HTTP 5xx on every attempt.
 * - `TIMEOUT`: no complete answer in time, on every attempt.
 * - `NETWORK`: the connection failed (refused, reset, DNS), on every attempt.
 * - `BAD_RESPONSE`: a 2xx answer that is not what the API promises (not JSON, wrong shape).
 */
export type PluginErrorCode =
  | 'INVALID_OPTIONS'
  | 'CONTRACT'
  | 'AUTH'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'SERVER'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'BAD_RESPONSE';

/** One failed check, with the path of the offending field (`minSupport`, `steps.2.action`). */
export interface PluginIssue {
  path: string;
  message: string;
}

export interface PluginErrorOptions {
  cause?: unknown;
  /** The plugin the error is about, as its author named it (`retry-backoff miner`). */
  plugin?: string | undefined;
  issues?: PluginIssue[] | undefined;
  /** The HTTP status of the last answer, when there was one. */
  status?: number | undefined;
  /** HTTP requests made before giving up (1 + retries). */
  attempts?: number | undefined;
}

/**
 * The only error `@episodic/plugin` throws on purpose (an abort rejects with the signal's
 * reason instead). Messages never hold credentials: HTTP helpers scrub them.
 */
export class PluginError extends Error {
  readonly [marker] = true;
  readonly code: PluginErrorCode;
  readonly plugin: string | null;
  readonly issues: PluginIssue[];
  readonly status: number | null;
  readonly attempts: number;

  constructor(code: PluginErrorCode, message: string, options: PluginErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginError';
    this.code = code;
    this.plugin = options.plugin ?? null;
    this.issues = options.issues ?? [];
    this.status = options.status ?? null;
    this.attempts = options.attempts ?? 0;
  }

  /** True also for a `PluginError` from a second copy of this package. */
  static isInstance(value: unknown): value is PluginError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** The `CONTRACT` error for a value that is not the plugin it claims to be. */
export function contractError(plugin: string, contract: string, issues: PluginIssue[]): PluginError {
  const detail = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  return new PluginError('CONTRACT', `${plugin} is not a valid ${contract}: ${detail}`, { plugin, issues });
}

/**
 * Said after "must be a … object" for what was given instead: a function is most often a
 * plugin's factory passed without calling it, which the bare refusal did not hint at.
 */
export function notCalled(value: unknown): string {
  if (typeof value !== 'function') return `, got ${value === null ? 'null' : typeof value}`;
  const name = value.name === '' ? 'the factory' : `${value.name}()`;
  return `, got a function: call ${name} (with its options) and pass what it returns`;
}
