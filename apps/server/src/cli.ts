#!/usr/bin/env node
import { createRequire } from 'node:module';
import { EpisodicError } from '@episodic/core';
import { auditCommand } from './cli/audit-command.js';
import { backupCommand, restoreCommand, verifyCommand } from './cli/backup-commands.js';
import type { CommandArgs } from './cli/command-args.js';
import { flagRefusal } from './cli/flag-refusal.js';
import { forgetCommand } from './cli/forget-command.js';
import { learningCommand } from './cli/learning-command.js';
import { modelsCommand } from './cli/models-command.js';
import { parseFlags } from './cli/parse-flags.js';
import { reindexCommand } from './cli/reindex-command.js';
import { rekeyCommand } from './cli/rekey-command.js';
import { remineCommand } from './cli/remine-command.js';
import { repairCommand } from './cli/repair-command.js';
import { retentionCommand } from './cli/retention-command.js';
import { serveCommand } from './cli/serve-command.js';
import { stopOnSignals } from './cli/stop-on-signals.js';
import { tokensCommand } from './cli/tokens-command.js';
import { commandUsage, usage } from './cli/usage.js';
import { workerCommand } from './cli/worker-command.js';
import { configFlags, loadConfig } from './config/load-config.js';
import { ServerError } from './errors/server-error.js';

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
  after: { type: 'string' },
  episode: { type: 'string', multiple: true },
  domain: { type: 'string' },
  before: { type: 'string' },
  metadata: { type: 'string', multiple: true },
  'idle-timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type CommandFlag = keyof typeof commandFlags;

/**
 * Each command with the flags of its own it reads, and how many words it takes after its name (its
 * action, FILE or ID). Anything else is refused: `forget --dry-run` or `retention apply --dry-run`
 * would otherwise delete at once, the flag the operator relied on ignored, and `tokens revoke A B`
 * revoke A only. (`serve` and `worker` read `--json` only to refuse it with their own reason.)
 */
const commands: Record<
  string,
  {
    run: (args: CommandArgs) => Promise<void>;
    flags: CommandFlag[];
    words: number | ((action: string | undefined) => number);
    /** Runs until SIGTERM or SIGINT, which it handles from the start (`stopOnSignals`). */
    untilStopped?: true;
    /** The flag each engine field of its input comes from, for refusals to name the flag. */
    fields?: Readonly<Record<string, CommandFlag>>;
  }
> = {
  serve: { run: serveCommand, flags: ['json'], words: 0, untilStopped: true },
  tokens: {
    run: tokensCommand,
    flags: ['name', 'scopes', 'domains', 'json'],
    words: (action) => (action === 'revoke' ? 2 : 1),
    fields: { name: 'name', scopes: 'scopes', domains: 'domains' },
  },
  backup: { run: backupCommand, flags: ['json'], words: 1 },
  verify: { run: verifyCommand, flags: ['json'], words: 1 },
  restore: { run: restoreCommand, flags: ['keep-old', 'json'], words: 1 },
  repair: { run: repairCommand, flags: ['dry-run', 'json'], words: 0 },
  rekey: { run: rekeyCommand, flags: ['new-key-env', 'decrypt', 'keep-old', 'json'], words: 0 },
  audit: {
    run: auditCommand,
    flags: ['since', 'until', 'actor', 'operation', 'outcome', 'limit', 'after', 'json'],
    words: 0,
    fields: {
      since: 'since',
      until: 'until',
      actor: 'actor',
      operation: 'operation',
      outcome: 'outcome',
      limit: 'limit',
      afterSeq: 'after',
    },
  },
  retention: { run: retentionCommand, flags: ['json'], words: 1 },
  forget: {
    run: forgetCommand,
    flags: ['episode', 'domain', 'before', 'metadata', 'json'],
    words: 0,
    fields: { episodeIds: 'episode', domain: 'domain', createdBefore: 'before', metadata: 'metadata' },
  },
  reindex: { run: reindexCommand, flags: ['json'], words: 0 },
  remine: { run: remineCommand, flags: ['json'], words: 0 },
  worker: { run: workerCommand, flags: ['json'], words: 0, untilStopped: true },
  learning: {
    run: learningCommand,
    flags: ['json'],
    words: (action) => (action === 'retire' ? 2 : 1),
  },
  models: { run: modelsCommand, flags: ['idle-timeout-ms', 'json'], words: 2 },
};

/** Refuses a flag or a word the command does not take, naming it. */
function refuseUnread(
  command: string,
  known: (typeof commands)[string],
  rest: string[],
  options: Record<string, string | boolean | string[] | undefined>,
): void {
  const foreign = Object.keys(commandFlags).find(
    (name) => options[name] !== undefined && !(known.flags as string[]).includes(name),
  );
  if (foreign !== undefined) throw new ServerError('USAGE', `${command} takes no --${foreign}.`);
  const words = typeof known.words === 'number' ? known.words : known.words(rest[0]);
  const extra = rest[words];
  if (extra === undefined) return;
  const name = typeof known.words === 'number' ? command : `${command} ${rest[0]}`;
  // `--episode A B` reads as two ids to a person, as one and a word to the parser.
  const repeatable = (['episode', 'metadata'] as const).find((flag) => options[flag] !== undefined);
  const hint = repeatable === undefined ? '' : ` (repeat the flag: --${repeatable} A --${repeatable} B)`;
  throw new ServerError('USAGE', `${name} takes no argument "${extra}"${hint}.`);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, { ...configFlags, ...commandFlags });
  const [command, ...rest] = positionals;
  if (values.version === true) {
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    process.stdout.write(`${version}\n`);
    return;
  }
  if (values.help === true || argv.length === 0 || command === 'help') {
    // `episodic help forget` as `episodic forget --help`.
    process.stdout.write(commandUsage(command === 'help' ? rest[0] : command));
    return;
  }
  // Settings with no command (`episodic --config x.json`) did nothing and exited 0: a script that
  // lost its command word read that as success.
  if (command === undefined)
    throw new ServerError('USAGE', 'No command given: name one, e.g. `episodic serve`.');
  const known = commands[command];
  if (known === undefined) throw new ServerError('USAGE', `Unknown command "${command}".`);
  const options = values as Record<string, string | boolean | string[] | undefined>;
  refuseUnread(command, known, rest, options);
  const flags = Object.fromEntries(
    Object.keys(configFlags).map((flag) => [flag, options[flag] as string | undefined]),
  );
  const signals = known.untilStopped ? stopOnSignals() : undefined;
  const config = await loadConfig({ flags, env: process.env });
  try {
    await known.run({ config, positionals: rest, options, signals });
  } catch (error) {
    const refusal = flagRefusal(error, known.fields ?? {}, options);
    throw refusal === undefined ? error : new ServerError('USAGE', refusal, { cause: error });
  }
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

/** An error Node's `fs` or `net` raised for a system call (`ENOSPC: no space left on device, write`). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string' &&
    typeof (error as NodeJS.ErrnoException).code === 'string'
  );
}

const systemHints: Record<string, string> = {
  ENOSPC: ' (the disk is full: free space on it, then run this again)',
  EDQUOT: ' (the disk quota is used up)',
  EROFS: ' (the file system is read-only)',
};

main(process.argv.slice(2))
  .finally(() => {
    running = false;
  })
  .catch((error: unknown) => {
    if (ServerError.isInstance(error) || EpisodicError.isInstance(error)) {
      process.stderr.write(`episodic: ${error.message}\n`);
      if (ServerError.isInstance(error) && error.code === 'USAGE') process.stderr.write(`\n${usage}`);
    } else if (isSystemError(error)) {
      // The machine refused (a full disk, no permission): the operator's to fix, not a bug to trace.
      process.stderr.write(`episodic: ${error.message}${systemHints[error.code] ?? ''}\n`);
    } else {
      process.stderr.write(`episodic: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exitCode = 1;
  });
