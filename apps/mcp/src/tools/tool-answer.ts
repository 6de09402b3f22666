import { EpisodicError } from '@episodic/core';
import { TRPCClientError } from '@episodic/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * What the agent reads when a call fails: the error's code and message, with field paths for
 * invalid input (the engine's and the server's messages name them). Never a stack.
 */
export function describeError(error: unknown): string {
  if (EpisodicError.isInstance(error)) return `${error.code}: ${error.message}`;
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code ?? 'SERVER';
    return `${code}: ${error.message}`;
  }
  return `ERROR: ${error instanceof Error ? error.message : String(error)}`;
}

/** Runs a tool's work: its text on success, an MCP tool error (`isError`) on failure. */
export async function toolAnswer(run: () => Promise<string>): Promise<CallToolResult> {
  try {
    return { content: [{ type: 'text', text: await run() }] };
  } catch (error) {
    return { content: [{ type: 'text', text: describeError(error) }], isError: true };
  }
}
