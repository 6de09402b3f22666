/**
 * `promise`, or a rejection once `ms` have passed without an answer, or once `signal` aborts
 * (with its reason). A store that never answers (stuck behind a lock, a connection that went dead
 * without closing) must not hold the model's run: the SDK awaits `prepareStep` and
 * `onStepFinish`, so an unbounded wait there stops the run. `late` receives an answer that comes
 * after the time ran out: the store did the work after all.
 */
export function withinTime<T>(
  promise: Promise<T>,
  ms: number,
  options: { late?: (answer: T) => void; signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const { late, signal } = options;
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  let aborted: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      gaveUp = true;
      reject(new Error(`memory did not answer within ${ms} ms`));
    }, ms);
    if (signal === undefined) return;
    aborted = () => reject(signal.reason);
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
  });
  if (late !== undefined) {
    void promise.then(
      (answer) => {
        if (gaveUp) late(answer);
      },
      () => undefined,
    );
  }
  return Promise.race([promise, deadline]).finally(() => {
    clearTimeout(timer);
    if (aborted !== undefined) signal?.removeEventListener('abort', aborted);
  });
}

/**
 * Resolves once `work` is done, or at once when `signal` aborts: a caller who stopped the run
 * waits for none of its writes, which go on (its outcome is still written).
 */
export function unlessAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void work.then(done, done);
  });
}
