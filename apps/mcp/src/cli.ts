#!/usr/bin/env node
import { parseCliOptions, usage } from './cli/cli-options.js';
import { EpisodicMcpError } from './errors.js';
import { openAgentMemory } from './memory/agent-memory.js';
import { say } from './say.js';
import { isLoopback, serveHttp } from './transports/serve-http.js';
import { serveStdio } from './transports/serve-stdio.js';
import { version } from './version.js';

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2), process.env);
  if (options.kind === 'help') return void process.stdout.write(usage);
  if (options.kind === 'version') return void process.stdout.write(`${version}\n`);

  const opened = await openAgentMemory(options.target);
  let stopping: Promise<void> | undefined;
  /** Stops serving, then lets the memory go; exits 1 when serving failed or the memory would not close. */
  const stop = (stopServing: () => Promise<void>) => {
    stopping ??= stopServing()
      .then(
        () => 0,
        (error: unknown) => {
          say((error as Error).message);
          return 1;
        },
      )
      .then(async (code) => {
        try {
          await opened.close();
        } catch (error) {
          say(`error while stopping: ${(error as Error).message}`);
          return 1;
        }
        return code;
      })
      .then((code) => process.exit(code));
    return stopping;
  };

  if (options.transport.kind === 'stdio') {
    say(`serving ${opened.describe} over stdio`);
    // A signal ends the session as closing stdin does: its open episodes are archived first.
    const signalled = new AbortController();
    process.once('SIGTERM', () => signalled.abort());
    process.once('SIGINT', () => signalled.abort());
    await stop(() => serveStdio(opened.memory, { signal: signalled.signal }));
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
