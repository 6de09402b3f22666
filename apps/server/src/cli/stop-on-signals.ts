/**
 * SIGTERM and SIGINT run `close` once (saying `draining` first) and exit 0 when it finishes, 1 when
 * it fails; a second signal exits at once without waiting.
 */
export function stopOnSignals(draining: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without draining.\n`);
      process.exit(1);
    }
    stopping = true;
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
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
