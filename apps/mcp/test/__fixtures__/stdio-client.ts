import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { episodicMcp } from './bin.js';

export interface StdioSession {
  client: Client;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves once the process has exited (its stdio closed). */
  exited: Promise<void>;
}

/** Starts the built bin as an MCP client launches it, a child process on stdio, and connects to it. */
export async function connectStdio(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [episodicMcp, ...args],
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
    cwd,
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'stdio-test', version: '0.0.0' });
  const exited = new Promise<void>((resolve) => {
    client.onclose = () => resolve();
  });
  try {
    await client.connect(transport);
  } catch (error) {
    // A process that dies starting is only "Connection closed" to the SDK: say what it printed.
    throw new Error(`episodic-mcp did not start serving over stdio; its stderr: ${stderr || '(nothing)'}`, {
      cause: error,
    });
  }
  return { client, stderr: () => stderr, exited };
}
