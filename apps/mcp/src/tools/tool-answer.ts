import { setMaxListeners } from 'node:events';
import { EpisodicError, type ValidationIssue } from '@episodic/core';
import { EpisodicClientError, TRPCClientError } from '@episodic/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Engine fields a tool fills from fields of its own, by the engine's name: `{ context: 'task' }`. */
export type ToolFieldNames = Readonly<Record<string, string>>;

/** The issues of a refusal of the input (the engine's and the server's both carry them), else none. */
export function refusalIssues(error: unknown): readonly ValidationIssue[] {
  if (EpisodicError.isInstance(error)) return error.issues;
  if (!(error instanceof TRPCClientError)) return [];
  return (error.data as { issues?: ValidationIssue[] | null } | undefined)?.issues ?? [];
}

/**
 * What the agent reads when a call fails: the error's code and message, with field paths for
 * invalid input (the engine's and the server's messages name them). Never a stack. A refusal of
 * a field the tool renamed (`task`, sent to the engine as `context`) names the tool's field: the
 * agent never saw the engine's.
 */
export function describeError(error: unknown, fields: ToolFieldNames = {}): string {
  const issues = refusesInput(error) ? refusalIssues(error) : [];
  // A whole path first (`exclude.0`, filled from one field), else its first part (`context`).
  const renamed = (path: string) => {
    if (Object.hasOwn(fields, path)) return fields[path];
    const [head = '', ...rest] = path.split('.');
    return Object.hasOwn(fields, head) ? [fields[head], ...rest].join('.') : undefined;
  };
  if (issues.some((issue) => renamed(issue.path) !== undefined)) {
    const code = EpisodicError.isInstance(error) ? error.code : 'BAD_REQUEST';
    const named = issues.map((issue) => `${renamed(issue.path) ?? issue.path}: ${issue.message}`);
    return `${code}: ${named.join('; ')}`;
  }
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

export interface ToolAnswerOptions {
  /**
   * What a write adds when its request timed out: the write may be stored all the same, and
   * sending it again blindly could store it twice.
   */
  ifTimedOut?: string;
  /** The engine fields the tool fills from its own, for refusals to name the tool's. */
  fields?: ToolFieldNames;
}

/** Runs a tool's work: its text on success, an MCP tool error (`isError`) on failure. */
export async function toolAnswer(
  run: () => Promise<string>,
  options: ToolAnswerOptions = {},
): Promise<CallToolResult> {
  try {
    return { content: [{ type: 'text', text: await run() }] };
  } catch (error) {
    const unsure = options.ifTimedOut !== undefined && timedOut(error) ? ` ${options.ifTimedOut}` : '';
    return {
      content: [{ type: 'text', text: `${describeError(error, options.fields)}${unsure}` }],
      isError: true,
    };
  }
}

/**
 * The call options of a tool that makes many store calls at once under its request's `signal`
 * (a recall reads the steps of up to 20 episodes): each call listens for the abort, and past
 * Node's default of 10 listeners one ordinary call printed a memory-leak warning on stderr.
 */
export function fanOut(signal: AbortSignal): { signal: AbortSignal } {
  setMaxListeners(100, signal);
  return { signal };
}
