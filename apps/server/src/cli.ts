#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { EpisodicError } from '@episodic/core';
import { serveCommand } from './cli/serve-command.js';
import { tokensCommand } from './cli/tokens-command.js';
import { usage } from './cli/usage.js';
import { configFlags, loadConfig } from './config/load-config.js';
import { ServerError } from './errors/server-error.js';

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...configFlags,
        name: { type: 'string' },
        scopes: { type: 'string' },
        domains: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new ServerError('USAGE', (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(usage);
    return;
  }
  const flags = Object.fromEntries(
    Object.keys(configFlags).map((flag) => [flag, (values as Record<string, unknown>)[flag] as string | undefined]),
  );
  const config = loadConfig({ flags, env: process.env });
  if (command === 'serve') return serveCommand(config);
  if (command === 'tokens') {
    return tokensCommand(config, {
      action: rest[0],
      positionals: rest.slice(1),
      name: values.name,
      scopes: values.scopes,
      domains: values.domains,
      json: values.json ?? false,
    });
  }
  throw new ServerError('USAGE', `Unknown command "${command}".`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (ServerError.isInstance(error) || EpisodicError.isInstance(error)) {
    process.stderr.write(`episodic: ${error.message}\n`);
    if (ServerError.isInstance(error) && error.code === 'USAGE') process.stderr.write(`\n${usage}`);
  } else {
    process.stderr.write(`episodic: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exitCode = 1;
});
