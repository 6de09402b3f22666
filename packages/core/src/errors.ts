const marker = Symbol.for('episodic.core.error');

/**
 * What went wrong, as a stable string a caller can switch on.
 *
 * - `VALIDATION`: the input broke a schema or a size limit; `issues` names each field path.
 * - `NOT_FOUND`: no such row, or it lies outside the caller's access scope (the two are
 *   deliberately indistinguishable so a scoped caller cannot probe other domains).
 * - `FORBIDDEN`: the caller's access scope does not cover the domain it tried to write.
 * - `CONFLICT`: the request is valid but not in the row's current state (completing twice,
 *   logging steps to a finished episode).
 * - `SCHEMA_VERSION`: the database was written by a newer Episodic than this one.
 * - `CONFIG`: `openMemory` was given settings it cannot use.
 * - `STORAGE`: libSQL refused or failed; `cause` holds the driver's error.
 * - `BUSY`: another connection held the database's write lock past `busyTimeoutMs`; the
 *   operation did not happen, and trying again later is safe.
 * - `FULL`: the disk holding the database is full (or the database reached its page limit);
 *   the write did not happen, and trying again once space is freed is safe.
 * - `EMBEDDING`: the embedding provider failed or returned vectors that break its contract
 *   (wrong count, length or non-finite numbers); `cause` holds the provider's error.
 * - `TIMEOUT`: waiting for background work (`learning.flush()`) took longer than allowed.
 */
export type EpisodicErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'SCHEMA_VERSION'
  | 'CONFIG'
  | 'STORAGE'
  | 'BUSY'
  | 'FULL'
  | 'EMBEDDING'
  | 'TIMEOUT';

/** One failed check of an input, with the path of the offending field (`steps.2.action`). */
export interface ValidationIssue {
  path: string;
  message: string;
}

export interface EpisodicErrorOptions {
  cause?: unknown;
  issues?: ValidationIssue[];
}

/** The only error class `@episodic/core` throws on purpose. */
export class EpisodicError extends Error {
  readonly [marker] = true;
  readonly code: EpisodicErrorCode;
  readonly issues: ValidationIssue[];

  constructor(code: EpisodicErrorCode, message: string, options: EpisodicErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EpisodicError';
    this.code = code;
    this.issues = options.issues ?? [];
  }

  /** True also for an `EpisodicError` from a second copy of this package. */
  static isInstance(value: unknown): value is EpisodicError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
