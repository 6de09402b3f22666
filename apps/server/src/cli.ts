#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { EpisodicError } from '@episodic/core';
import { auditCommand } from './cli/audit-command.js';
import { backupCommand, restoreCommand, verifyCommand } from './cli/backup-commands.js';
import type { CommandArgs } from './cli/command-args.js';
import { forgetCommand } from './cli/forget-command.js';
import { learningCommand } from './cli/learning-command.js';
import { modelsCommand } from './cli/models-command.js';
import { reindexCommand } from './cli/reindex-command.js';
import { rekeyCommand } from './cli/rekey-command.js';
import { repairCommand } from './cli/repair-command.js';
import { retentionCommand } from './cli/retention-command.js';
import { serveCommand } from './cli/serve-command.js';
import { tokensCommand } from './cli/tokens-command.js';
import { usage } from './cli/usage.js';
import { workerCommand } from './cli/worker-command.js';
import { configFlags, loadConfig } from './config/load-config.js';
import { ServerError } from './errors/server-error.js';

const commands: Record<string, (args: CommandArgs) => Promise<void>> = {
  serve: serveCommand,
  tokens: tokensCommand,
  backup: backupCommand,
  verify: verifyCommand,
  restore: restoreCommand,
  repair: repairCommand,
  rekey: rekeyCommand,
  audit: auditCommand,
  retention: retentionCommand,
  forget: forgetCommand,
  reindex: reindexCommand,
  worker: workerCommand,
  learning: learningCommand,
  models: modelsCommand,
};

/** Flags of the commands themselves; the settings' flags come from `configFlags`. */
const commandFlags = {
  name: { type: 'string' },
  scopes: { type: 'string' },
  domains: { type: 'string' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'new-key-env': { type: 'string' },
  decrypt: { type: 'boolean' },
  'keep-old': { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  actor: { type: 'string' },
  operation: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  episode: { type: 'string', multiple: true },
  domain: { type: 'string' },
  before: { type: 'string' },
  metadata: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: { ...configFlags, ...commandFlags } });
  } catch (error) {
    throw new ServerError('USAGE', (error as Error).message);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv);
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined || command === 'help') {
    process.stdout.write(usage);
    return;
  }
  const run = commands[command];
  if (run === undefined) throw new ServerError('USAGE', `Unknown command "${command}".`);
  const options = values as Record<string, string | boolean | string[] | undefined>;
  const flags = Object.fromEntries(
    Object.keys(configFlags).map((flag) => [flag, options[flag] as string | undefined]),
  );
  const config = await loadConfig({ flags, env: process.env });
  await run({ config, positionals: rest, options });
}

// A command awaiting something nothing will ever settle (a plugin's promise, say) lets the event
// loop empty with `main()` still pending; Node would then exit 0 with the command not done, which
// scripts and supervisors read as success.
let running = true;
process.on('beforeExit', () => {
  if (!running) return;
  running = false;
  process.stderr.write(
    'episodic: the command stopped before it finished: it was waiting on something that nothing can ' +
      'settle any more (a plugin whose promise never resolves?), so nothing more would happen.\n',
  );
  process.exitCode = 1;
});

main(process.argv.slice(2))
  .finally(() => {
    running = false;
  })
  .catch((error: unknown) => {
    if (ServerError.isInstance(error) || EpisodicError.isInstance(error)) {
      process.stderr.write(`episodic: ${error.message}\n`);
      if (ServerError.isInstance(error) && error.code === 'USAGE') process.stderr.write(`\n${usage}`);
    } else {
      process.stderr.write(`episodic: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exitCode = 1;
  });
