import { TRPCClientError } from '@trpc/client';
import { EpisodicClientError } from './errors.js';
import type { AppRouter } from './types.js';

const reasonText = (reason: unknown) =>
  reason instanceof Error && reason.message !== '' ? reason.message : String(reason);

/** What a call its signal aborted rejects with: `ABORTED`, the signal's reason as its cause. */
export function abortedError(path: string, reason: unknown): TRPCClientError<AppRouter> {
  return TRPCClientError.from<AppRouter>(
    new EpisodicClientError(
      'ABORTED',
      `${path} was aborted (${reasonText(reason)}); if its request was already sent, the server may still run it.`,
      { cause: reason },
    ),
  );
}

/**
 * `pending`'s outcome, or `abortedError(path, …)` as soon as `signal` aborts: for a call that
 * waits its turn behind others, whose caller stops waiting without stopping them. (The engine's
 * `untilAborted` does the same wait; the SDK does not load the engine at run time.)
 */
export function untilAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal | undefined,
  path: string,
): Promise<T> {
  if (signal === undefined) return pending;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(abortedError(path, signal.reason));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
