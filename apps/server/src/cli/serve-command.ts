import { startServer } from '../server.js';
import { type CommandArgs, refuseJson } from './command-args.js';
import { stopOnSignals } from './stop-on-signals.js';

/** Runs the server until SIGTERM or SIGINT, then drains and exits 0. A second signal exits at once. */
export async function serveCommand(args: CommandArgs): Promise<void> {
  refuseJson(args, 'serve');
  const server = await startServer(args.config);
  // Before the first line goes out: whoever waits for it may signal at once.
  stopOnSignals('draining requests in flight', () => server.close());
  process.stdout.write(`Episodic server listening on ${server.url}\n`);
  if (server.adminTokenFile !== null) {
    process.stdout.write(
      `First start: created an admin token in ${server.adminTokenFile} (readable only by you). ` +
        'Use it to create narrower tokens with `episodic tokens create`.\n',
    );
  }
}
