import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createEpisodicMcpServer } from '../create-mcp-server.js';
import { EpisodicMcpError } from '../errors.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { SessionEpisodes } from '../memory/session-episodes.js';
import { say } from '../say.js';
import { largestCallBytes } from '../tools/call-size.js';
import { AnsweringTransport } from './answering-transport.js';

/**
 * Longest wait, once stdin closes, for the calls still running to be answered: long enough for a
 * completion that waits for learning, short enough that a client shutting down (which closes stdin,
 * then sends SIGTERM if the server has not exited) is not kept waiting for long.
 */
const answerWithinMs = 10_000;

export interface StdioOptions {
  /** Ends serving as the client closing stdin does (a SIGTERM handler's way to stop). */
  signal?: AbortSignal;
}

/**
 * Serves one client over this process's stdin and stdout (stdout carries the protocol only:
 * everything else goes to stderr). Resolves when the client closes stdin (or `signal` aborts),
 * the calls it sent before are answered and the episodes it started and did not complete are
 * archived. Rejects, after the same, with an `EpisodicMcpError` of code `STDIO` when the
 * transport gave up on its input (a message longer than any call it takes): then nothing more
 * would be read, and a process left running would answer nothing.
 */
export async function serveStdio(memory: AgentMemory, options: StdioOptions = {}): Promise<void> {
  const session = new SessionEpisodes(memory);
  const server = createEpisodicMcpServer(memory, session);
  const transport = new AnsweringTransport(
    new StdioServerTransport(process.stdin, process.stdout, { maxBufferSize: largestCallBytes }),
  );
  let lastError: Error | undefined;
  let inputClosed = false;
  const ended = new Promise<'input' | 'transport'>((resolve) => {
    const closed = () => {
      inputClosed = true;
      resolve('input');
    };
    process.stdin.once('end', closed);
    process.stdin.once('close', closed);
    options.signal?.addEventListener('abort', closed, { once: true });
    // The transport closes itself on an input it cannot read; stdin then only pauses.
    transport.onclose = () => resolve(inputClosed ? 'input' : 'transport');
  });
  // A line that is not JSON-RPC is reported here and skipped; the one that closes the transport too.
  transport.onerror = (error) => {
    lastError = error;
    say(`stdio: ${error.message}`);
  };
  await server.connect(transport);
  const why = await ended;
  // A closed transport sends nothing more: no answer to wait for.
  if (why === 'input') await transport.answered(answerWithinMs);
  await session.end();
  await server.close();
  if (why === 'transport')
    throw new EpisodicMcpError(
      'STDIO',
      `stopped serving: the stdio transport closed (${lastError?.message ?? 'no reason given'}); the client must start a new session.`,
    );
}
