/** How a long-running command (`serve`, `worker`) hands its stop over to SIGTERM and SIGINT. */
export interface SignalStop {
  /**
   * Says how to stop, once there is something to stop (`draining` says what it waits for): a
   * signal that came while the command was starting runs `close` now.
   */
  closeWith(draining: string, close: () => Promise<void>): void;
  /** Whether a signal came: a command that sees one once it has started announces nothing. */
  stopping(): boolean;
}

/**
 * SIGTERM and SIGINT run `close` once (saying what it drains first) and exit 0 when it finishes,
 * 1 when it fails; a second signal exits at once without waiting. Installed before the command
 * loads its config: Node's default ends the process by the signal, and loading plugins (a model
 * to read) and opening the store (its migrations) can take a while, so a supervisor that stops a
 * server it has just started saw it killed rather than stopped. A signal then waits for the start.
 */
export function stopOnSignals(): SignalStop {
  let stop: { draining: string; close: () => Promise<void> } | null = null;
  let received: NodeJS.Signals | null = null;
  const run = (signal: NodeJS.Signals, { draining, close }: NonNullable<typeof stop>) => {
    process.stderr.write(`${signal}: ${draining}, then closing the store.\n`);
    close().then(
      () => {
        process.stderr.write('Stopped cleanly.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== null) {
      process.stderr.write(`${signal} again: exiting without draining.\n`);
      process.exit(1);
    }
    received = signal;
    if (stop === null) process.stderr.write(`${signal}: stopping once started.\n`);
    else run(signal, stop);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    closeWith(draining, close) {
      stop = { draining, close };
      if (received !== null) run(received, stop);
    },
    stopping: () => received !== null,
  };
}
