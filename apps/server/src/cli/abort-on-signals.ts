import { constants } from 'node:os';

/** A command's stop switch: SIGINT or SIGTERM aborts `signal`; a second one exits at once. */
export interface SignalAbort {
  signal: AbortSignal;
  /** The signal that stopped the command, or `null` while none came. */
  received(): NodeJS.Signals | null;
  /** The exit code a shell gives a process the signal stopped: 128 + its number (130 for SIGINT). */
  exitCode(): number;
  /** Gives SIGINT and SIGTERM back to Node's default (exit at once). */
  dispose(): void;
}

/**
 * For a command that must clean up before it exits (a download's partial folder): Node's default
 * on SIGINT or SIGTERM ends the process at once, with no `finally` run. The first signal aborts the
 * work so that its own cleanup runs; a second, while that cleanup hangs, exits without waiting.
 */
export function abortOnSignals(): SignalAbort {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const codeOf = (signal: NodeJS.Signals) => 128 + (constants.signals[signal] ?? 0);
  const stop = (signal: NodeJS.Signals) => {
    if (received !== null) process.exit(codeOf(signal));
    received = signal;
    controller.abort(new Error(`stopped by ${signal}`));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received === null ? 0 : codeOf(received)),
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
