import type { Memory } from '@episodic/core';
import { settingsSource } from '../config/load-config.js';
import type { ServerConfig } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { startServer } from '../server.js';
import { runsLearners } from '../store/open-serving-store.js';
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

/**
 * What a server that runs no learners (`memory.learning.run: false`) says at start: its finished
 * episodes are only queued, and unless some other process learns them, nothing ever will.
 */
async function queueOnlyLine(config: ServerConfig, memory: Memory): Promise<string | null> {
  if (runsLearners(config)) return null;
  const status = await memory.learning.status();
  const learnedElsewhere = Object.values(status.learners).some((learner) => learner.alive);
  return (
    `This server runs no learners (memory.learning.run is false): finished episodes are queued for learning ` +
    `(${status.pending} pending), ` +
    (learnedElsewhere
      ? 'and another process learns them (`episodic learning status` names what runs where).\n'
      : 'and no process learns them now: start `episodic worker` beside it.\n')
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
  const source = settingsSource(args.config);
  if (source !== null) process.stdout.write(`${source}\n`);
  // A signal meanwhile closes the store under the status read: the server is stopping then anyway.
  const queueOnly = await queueOnlyLine(args.config, server.memory).catch(() => null);
  if (queueOnly !== null) process.stdout.write(queueOnly);
  if (server.adminTokenFile !== null) {
    process.stdout.write(
      `First start: created an admin token in ${server.adminTokenFile} (readable only by you). ` +
        `Sign in to the dashboard at ${server.url}/ui/ with it, or send it as a bearer token. ` +
        'Tokens for agents are made where the store is, with no token: `episodic tokens create --name NAME --domains DOMAIN`.\n',
    );
  }
}
