import type { RemoteCallOptions } from '@episodic/sdk';
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { clip } from '../format/text-budget.js';
import { describeError, refusesInput } from '../tools/tool-answer.js';

/** The MCP specification's "resource not found" code (the SDK's `ErrorCode` has no name for it). */
const resourceNotFound = -32002;

/** How many rows a resource list shows: a client's picker, not an export. */
const listed = 20;

export interface JsonResourceKind<Row extends { id: string }> {
  /** The URI scheme: `episode` serves `episode://{id}`. */
  scheme: string;
  title: string;
  description: string;
  /** The rows a client lists, newest or best first. `call` carries the request's signal. */
  list(limit: number, call: RemoteCallOptions): Promise<Row[]>;
  /** One row's list entry: its name and a short description. */
  entry(row: Row): { name: string; summary: string | null };
  /** The record, or `null` when it is absent or outside the token's domains (alike on purpose). */
  read(id: string, call: RemoteCallOptions): Promise<unknown>;
}

/** A template variable's one value, decoded (`{id}` in `episode://{id}`). */
function variable(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    // A `%` escape that is no UTF-8 (`%E0%A4%A`) is the request's fault, not the server's.
    throw new McpError(ErrorCode.InvalidParams, `The resource URI holds a malformed % escape: ${raw}`);
  }
}

/**
 * Runs a resource's work, failing as the protocol says, with the text a tool's failure has
 * (`NETWORK: …`, no stack): a refusal of the request's own values is `InvalidParams`, anything
 * else (the server down, the store failing) `InternalError`, which does not tell the client its
 * request was wrong.
 */
async function answered<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof McpError) throw error;
    throw new McpError(
      refusesInput(error) ? ErrorCode.InvalidParams : ErrorCode.InternalError,
      describeError(error),
    );
  }
}

/**
 * Registers a resource template read as pretty JSON: `read` gets the template's variables,
 * decoded, and may refuse them with an `McpError`; and the request's signal, which aborts when the
 * client cancels the read. Absent (`null`) becomes the protocol's not-found error.
 */
export function registerJsonTemplate(
  server: McpServer,
  name: string,
  template: ResourceTemplate,
  config: { title: string; description: string },
  read: (variables: (name: string) => string, call: RemoteCallOptions) => Promise<unknown>,
): void {
  server.registerResource(
    name,
    template,
    { ...config, mimeType: 'application/json' },
    async (uri, variables, { signal }) => {
      const value = await answered(() => read((key) => variable(variables[key]), { signal }));
      if (value === null) throw new McpError(resourceNotFound, `Resource ${uri.href} not found`);
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
      };
    },
  );
}

/** Registers `<scheme>://{id}`, read as pretty JSON, listing the rows `kind.list` gives. */
export function registerJsonResource<Row extends { id: string }>(
  server: McpServer,
  kind: JsonResourceKind<Row>,
): void {
  const template = new ResourceTemplate(`${kind.scheme}://{id}`, {
    list: async ({ signal }) => ({
      resources: (await answered(() => kind.list(listed, { signal }))).map((row) => {
        const { name, summary } = kind.entry(row);
        return {
          uri: `${kind.scheme}://${row.id}`,
          name,
          description: summary === null ? undefined : clip(summary, 200),
          mimeType: 'application/json',
        };
      }),
    }),
  });
  registerJsonTemplate(
    server,
    kind.scheme,
    template,
    { title: kind.title, description: kind.description },
    (variables, call) => kind.read(variables('id'), call),
  );
}
