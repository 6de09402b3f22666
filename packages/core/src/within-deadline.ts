/** What a call held to `withinDeadline` rejects with when its deadline passes. */
export class DeadlineError extends TypeError {
  override readonly name = 'DeadlineError';
}

export interface Deadline {
  timeoutMs: number;
  /** Aborting it aborts the call too, which then rejects with its reason. */
  signal?: AbortSignal | undefined;
  /** The call, as the error names it: `mine()`. */
  what: string;
  /** The setting that gives `timeoutMs`, named in the error: `learning.mineTimeoutMs`. */
  setting: string;
}

/**
 * `run`'s result, held to a deadline: `run` gets a signal that aborts at `timeoutMs` or when
 * `deadline.signal` does, and is abandoned, not awaited, if it ignores it (a plugin that never
 * settles must not hold its caller, nor a store's `close()`). Rejects with `deadline.signal`'s
 * reason when that aborts, with a `DeadlineError` naming `what` and `setting` at the deadline. A
 * synchronous `run` cannot be interrupted: the deadline bounds waiting, not computing.
 */
export async function withinDeadline<T>(
  run: (signal: AbortSignal) => T | PromiseLike<T>,
  { timeoutMs, signal: outer, what, setting }: Deadline,
): Promise<T> {
  const own = new AbortController();
  const forward = () => own.abort(outer?.reason);
  outer?.addEventListener('abort', forward, { once: true });
  const timer = setTimeout(
    () => own.abort(new DeadlineError(`${what} did not settle within ${timeoutMs} ms (${setting})`)),
    timeoutMs,
  );
  try {
    const returned = run(own.signal);
    return isThenable(returned) ? await untilAborted(returned, own.signal) : returned;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', forward);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * `pending`'s outcome, or `signal.reason` as soon as the signal aborts, whichever comes first: for
 * a caller that stops waiting for work it cannot stop (an outcome after the abort is let go).
 */
export function untilAborted<T>(pending: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
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
