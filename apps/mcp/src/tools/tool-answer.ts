import { EpisodicError } from '@episodic/core';
import { EpisodicClientError, TRPCClientError } from '@episodic/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * What the agent reads when a call fails: the error's code and message, with field paths for
 * invalid input (the engine's and the server's messages name them). Never a stack.
 */
export function describeError(error: unknown): string {
  if (EpisodicError.isInstance(error)) return `${error.code}: ${error.message}`;
  if (error instanceof TRPCClientError) {
    // No answer came (the server is down, unreachable, or cut the connection): not a refusal of
    // the call, which the agent must not rework its input for.
    const network = EpisodicClientError.isInstance(error.cause) ? error.cause : undefined;
    if (network?.code === 'UNREACHABLE' || network?.code === 'CONNECTION_LOST') {
      // fetch's error, with the system's code (ECONNREFUSED) under it, else fetch's own reason:
      // it refuses some ports itself ("bad port": 6000 and the others of the WHATWG list) with no code.
      const failure = network.cause as { message?: unknown; cause?: { code?: unknown; message?: unknown } };
      const reason = typeof failure.cause?.code === 'string' ? failure.cause.code : failure.cause?.message;
      const message = typeof failure.message === 'string' ? failure.message : network.message;
      const detail = typeof reason === 'string' ? `${message}: ${reason}` : message;
      return `NETWORK: no answer from the Episodic server (${detail}); it may be down or unreachable.`;
    }
    // An answer that was not the API's (a wrong url) has the SDK's own code.
    const code =
      (error.data as { code?: string } | undefined)?.code ??
      (EpisodicClientError.isInstance(error.cause) ? error.cause.code : 'SERVER');
    return `${code}: ${error.message}`;
  }
  return `ERROR: ${error instanceof Error ? error.message : String(error)}`;
}

/** Whether `error` refuses the input itself (the engine's `VALIDATION`, the server's `BAD_REQUEST`). */
export function refusesInput(error: unknown): boolean {
  if (EpisodicError.isInstance(error)) return error.code === 'VALIDATION';
  return (
    error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'BAD_REQUEST'
  );
}

/**
 * Whether the server took the request and did not answer within `--timeout-ms`: unlike a refused
 * connection, the call may have run (or still run) there.
 */
function timedOut(error: unknown): boolean {
  return (
    error instanceof TRPCClientError &&
    EpisodicClientError.isInstance(error.cause) &&
    error.cause.code === 'TIMEOUT'
  );
}

/**
 * Runs a tool's work: its text on success, an MCP tool error (`isError`) on failure. `ifTimedOut`
 * is what a write adds when its request timed out: the write may be stored all the same, and
 * sending it again blindly could store it twice.
 */
export async function toolAnswer(run: () => Promise<string>, ifTimedOut?: string): Promise<CallToolResult> {
  try {
    return { content: [{ type: 'text', text: await run() }] };
  } catch (error) {
    const unsure = ifTimedOut !== undefined && timedOut(error) ? ` ${ifTimedOut}` : '';
    return { content: [{ type: 'text', text: `${describeError(error)}${unsure}` }], isError: true };
  }
}
