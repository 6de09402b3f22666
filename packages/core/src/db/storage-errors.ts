import { EpisodicError } from '../errors.js';

/**
 * libSQL says only "not a database" both for a wrong or missing encryption key and for a
 * damaged file; the message names what the operator can do about either.
 */
export function unreadable(url: string, error: unknown): EpisodicError {
  const message = (error as Error).message;
  const hint = /NOTADB|not a database|CORRUPT|malformed/i.test(message)
    ? ' The file is encrypted with another key (or none), or it is damaged: check the encryption key, ' +
      'or restore a backup with `episodic restore <file>`.'
    : '';
  return new EpisodicError('STORAGE', `Cannot open the database at ${url}: ${message}.${hint}`, {
    cause: error,
  });
}

/** Our own refusals pass through; anything libSQL throws becomes a `STORAGE` error that keeps it as `cause`. */
export function asStorageError(error: unknown): EpisodicError {
  if (EpisodicError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EpisodicError('STORAGE', `Database operation failed: ${message}`, { cause: error });
}

const letEventLoopRunEvery = 64;

/**
 * Wraps every database operation: errors become `STORAGE` errors, and every 64th operation
 * first lets the event loop turn. libSQL's native statements and rows are freed by finalizers
 * that run only when it turns; a caller awaiting us in a tight loop never lets it, and memory
 * grows without bound.
 */
export function createOperationGuard() {
  let operations = 0;
  return async <T>(operation: () => Promise<T> | T): Promise<T> => {
    operations += 1;
    if (operations % letEventLoopRunEvery === 0) await new Promise((resolve) => setImmediate(resolve));
    try {
      return await operation();
    } catch (error) {
      throw asStorageError(error);
    }
  };
}
