#!/usr/bin/env node
import { parseCliOptions, usage } from './cli/cli-options.js';
import { EpisodicMcpError } from './errors.js';
import { openAgentMemory } from './memory/agent-memory.js';
import { isLoopback, serveHttp } from './transports/serve-http.js';
import { serveStdio } from './transports/serve-stdio.js';
import { version } from './version.js';

// stdout carries the protocol under stdio: every message of ours goes to stderr.
const say = (line: string) => process.stderr.write(`episodic-mcp: ${line}\n`);

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2), process.env);
  if (options.kind === 'help') return void process.stdout.write(usage);
  if (options.kind === 'version') return void process.stdout.write(`${version}\n`);

  const opened = await openAgentMemory(options.target);
  let stopping: Promise<void> | undefined;
  const stop = (stopServing: () => Promise<void>) => {
    stopping ??= stopServing()
      .then(() => opened.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          say(`error while stopping: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    return stopping;
  };

  if (options.transport.kind === 'stdio') {
    say(`serving ${opened.describe} over stdio`);
    const served = serveStdio(opened.memory);
    process.once('SIGTERM', () => void stop(async () => undefined));
    process.once('SIGINT', () => void stop(async () => undefined));
    await served;
    await stop(async () => undefined);
    return;
  }
  const http = await serveHttp(opened.memory, options.transport);
  process.once('SIGTERM', () => void stop(http.close));
  process.once('SIGINT', () => void stop(http.close));
  if (!isLoopback(options.transport.host))
    say(`warning: ${options.transport.host} is not loopback and the MCP endpoint has no authentication`);
  say(`serving ${opened.describe} over Streamable HTTP at ${http.url}`);
}

main().catch((error: unknown) => {
  // Our errors, the engine's and the settings' say what to fix; never a stack, whatever the error.
  say(error instanceof Error ? error.message : String(error));
  process.exit(EpisodicMcpError.isInstance(error) && error.code === 'USAGE' ? 2 : 1);
});
