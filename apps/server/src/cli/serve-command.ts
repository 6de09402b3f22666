import { ServerError } from '../errors/server-error.js';
import { startServer } from '../server.js';
import { type CommandArgs, refuseJson } from './command-args.js';
import { stopOnSignals } from './stop-on-signals.js';

/** Why `listen` failed, for the errors another port avoids. */
const portProblems: Partial<Record<string, string>> = {
  EADDRINUSE: 'another program listens on that port (an Episodic server already running?)',
  EACCES: 'this user may not listen on that port',
};

/** A failed listen that another port avoids, saying how to choose one; any other error as it is. */
function withPortHint(error: unknown): unknown {
  if (!ServerError.isInstance(error) || error.code !== 'LISTEN') return error;
  const problem = portProblems[(error.cause as NodeJS.ErrnoException | undefined)?.code ?? ''];
  if (problem === undefined) return error;
  return new ServerError(
    'LISTEN',
    `${error.message}: ${problem}. Serve on another port with --port PORT, EPISODIC_PORT or "port" in the config file.`,
    { cause: error.cause },
  );
}

/** Runs the server until SIGTERM or SIGINT, then drains and exits 0. A second signal exits at once. */
export async function serveCommand(args: CommandArgs): Promise<void> {
  refuseJson(args, 'serve');
  const signals = args.signals ?? stopOnSignals();
  const server = await startServer(args.config).catch((error: unknown) => {
    throw withPortHint(error);
  });
  signals.closeWith('draining requests in flight', () => server.close());
  if (signals.stopping()) return;
  process.stdout.write(`Episodic server listening on ${server.url}\n`);
  if (server.adminTokenFile !== null) {
    process.stdout.write(
      `First start: created an admin token in ${server.adminTokenFile} (readable only by you). ` +
        `Sign in to the dashboard at ${server.url}/ui/ with it, or send it as a bearer token. ` +
        'Tokens for agents are made where the store is, with no token: `episodic tokens create --name NAME --domains DOMAIN`.\n',
    );
  }
}
