import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createEpisodicMcpServer } from '../create-mcp-server.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { AnsweringTransport } from './answering-transport.js';

/**
 * Longest wait, once stdin closes, for the calls still running to be answered: long enough for a
 * completion that waits for learning, short enough that a client shutting down (which closes stdin,
 * then sends SIGTERM if the server has not exited) is not kept waiting for long.
 */
const answerWithinMs = 10_000;

/**
 * Serves one client over this process's stdin and stdout (stdout carries the protocol only:
 * everything else goes to stderr). Resolves when the client closes stdin and the calls it sent
 * before are answered.
 */
export async function serveStdio(memory: AgentMemory): Promise<void> {
  const server = createEpisodicMcpServer(memory);
  const closed = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  const transport = new AnsweringTransport(new StdioServerTransport());
  await server.connect(transport);
  await closed;
  await transport.answered(answerWithinMs);
  await server.close();
}
