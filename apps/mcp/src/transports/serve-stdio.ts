import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createEpisodicMcpServer } from '../create-mcp-server.js';
import type { AgentMemory } from '../memory/agent-memory.js';

/**
 * Serves one client over this process's stdin and stdout (stdout carries the protocol only:
 * everything else goes to stderr). Resolves when the client closes stdin.
 */
export async function serveStdio(memory: AgentMemory): Promise<void> {
  const server = createEpisodicMcpServer(memory);
  const closed = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close();
}
