import { startServer } from '../server.js';
import type { CommandArgs } from './command-args.js';

/** Runs the server until SIGTERM or SIGINT, then drains and exits 0. A second signal exits at once. */
export async function serveCommand({ config }: CommandArgs): Promise<void> {
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without draining.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: draining requests in flight, then closing the store.\n`);
    server.close().then(
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
  // Before the first line goes out: whoever waits for it may signal at once.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`Episodic server listening on ${server.url}\n`);
  if (server.adminTokenFile !== null) {
    process.stdout.write(
      `First start: created an admin token in ${server.adminTokenFile} (readable only by you). ` +
        'Use it to create narrower tokens with `episodic tokens create`.\n',
    );
  }
}
