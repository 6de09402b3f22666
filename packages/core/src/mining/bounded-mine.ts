import type { MineInput, PatternCandidate, PatternMinerV1 } from '@episodic/plugin';

const describeValue = (value: unknown): string =>
  value === null || value === undefined ? String(value) : `a value of type ${typeof value}`;

/**
 * One `mine()` call, held to its contract: it must give an array, and an async one must settle
 * within `timeoutMs` and stop waiting when `input.signal` aborts. A promise that never settles
 * would otherwise keep its batch (and the heartbeat its lease) forever, and a store's `close()`
 * with it. The miner sees a signal that also aborts at the deadline, so a cooperative one can let
 * go of what it holds; one that ignores it is abandoned, not awaited. A synchronous miner cannot
 * be interrupted: the deadline bounds waiting, not computing.
 *
 * Rejects with `input.signal.reason` when aborted, and with a `TypeError` saying what went wrong
 * when the miner broke its contract.
 */
export async function boundedMine(
  miner: PatternMinerV1,
  input: MineInput,
  timeoutMs: number,
): Promise<readonly PatternCandidate<unknown>[]> {
  const result = await withinDeadline(
    (signal) => miner.mine({ ...input, signal }),
    timeoutMs,
    input.signal,
    'mine()',
  );
  if (!Array.isArray(result))
    throw new TypeError(`mine() returned ${describeValue(result)}, not an array of candidates`);
  return result;
}

/**
 * `run`'s result, held to a deadline: `run` gets a signal that aborts at `timeoutMs` or when
 * `outer` does, and is abandoned, not awaited, if it ignores it. Rejects with `outer.reason` when
 * that aborts, with a `TypeError` naming `what` at the deadline. A synchronous `run` cannot be
 * interrupted: the deadline bounds waiting, not computing.
 */
export async function withinDeadline<T>(
  run: (signal: AbortSignal) => T | PromiseLike<T>,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  what: string,
): Promise<T> {
  const own = new AbortController();
  const forward = () => own.abort(outer?.reason);
  outer?.addEventListener('abort', forward, { once: true });
  const timer = setTimeout(
    () => own.abort(new TypeError(`${what} did not settle within ${timeoutMs} ms (learning.mineTimeoutMs)`)),
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

/** `pending`'s outcome, or `signal.reason` as soon as the signal aborts, whichever comes first. */
function untilAborted<T>(pending: PromiseLike<T>, signal: AbortSignal): Promise<T> {
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
