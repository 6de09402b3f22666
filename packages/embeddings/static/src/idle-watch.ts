/** One file's transfer, aborted by the caller's signal or when it goes idle. */
export interface IdleWatch {
  signal: AbortSignal;
  /** Bytes came: the wait starts again. */
  touch(): void;
  stop(): void;
  /** The error to throw when `signal` fired: the caller's reason, or the stall's own. */
  failure(error: unknown): unknown;
}

/**
 * Aborts a transfer once `idleMs` pass without `touch()`: a hub or CDN that accepted the
 * connection and then sends nothing more. Node's own fetch waits 300 s for headers and between
 * body chunks, so a pull over a dead connection hung five minutes before it failed.
 */
export function watchIdle(idleMs: number, outer: AbortSignal | undefined, stalled: () => Error): IdleWatch {
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(stalled()), idleMs);
  };
  touch();
  const signal = outer === undefined ? idle.signal : AbortSignal.any([outer, idle.signal]);
  return {
    signal,
    touch,
    stop: () => clearTimeout(timer),
    failure: (error) => {
      if (outer?.aborted) return outer.reason;
      return idle.signal.aborted ? idle.signal.reason : error;
    },
  };
}
