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

/** Operations the guard lets run one after another with no turn of the event loop. */
export const letEventLoopRunEvery = 64;

/**
 * Wraps every database operation: errors become `STORAGE` errors, and after 64 operations with no
 * turn of the event loop between them, the next one first lets it turn. libSQL's native statements
 * and rows are freed by finalizers that run only when it turns; a caller awaiting us in a tight
 * loop never lets it, and memory grows without bound. Operations between which the loop turns
 * anyway (a server's requests, a retrieve that awaits its read worker) are never held back: a
 * turn taken for its own sake delays the operation behind whatever else is queued.
 */
export function createOperationGuard() {
  let sinceTurn = 0;
  let watching = false;
  const turned = () => {
    sinceTurn = 0;
    watching = false;
  };
  return async <T>(operation: () => Promise<T> | T): Promise<T> => {
    sinceTurn += 1;
    // One check per turn of the loop, whatever the number of operations in it.
    if (!watching) {
      watching = true;
      setImmediate(turned);
    }
    if (sinceTurn > letEventLoopRunEvery) await new Promise((resolve) => setImmediate(resolve));
    try {
      return await operation();
    } catch (error) {
      throw asStorageError(error);
    }
  };
}
