import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { clip } from '../format/text-budget.js';
import { describeError } from '../tools/tool-answer.js';

/** The MCP specification's "resource not found" code (the SDK's `ErrorCode` has no name for it). */
const resourceNotFound = -32002;

/** How many rows a resource list shows: a client's picker, not an export. */
const listed = 20;

export interface JsonResourceKind<Row extends { id: string }> {
  /** The URI scheme: `episode` serves `episode://{id}`. */
  scheme: string;
  title: string;
  description: string;
  /** The rows a client lists, newest or best first. */
  list(limit: number): Promise<Row[]>;
  /** One row's list entry: its name and a short description. */
  entry(row: Row): { name: string; summary: string | null };
  /** The full record, or `null` when it is absent or outside the token's domains (alike on purpose). */
  read(id: string): Promise<unknown>;
}

/**
 * Registers `<scheme>://{id}`, read as pretty JSON. Absent becomes the protocol's not-found
 * error, a failure a clean message (no stack).
 */
export function registerJsonResource<Row extends { id: string }>(
  server: McpServer,
  kind: JsonResourceKind<Row>,
): void {
  const template = new ResourceTemplate(`${kind.scheme}://{id}`, {
    list: async () => ({
      resources: (await kind.list(listed)).map((row) => {
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
  const config = { title: kind.title, description: kind.description, mimeType: 'application/json' };
  server.registerResource(kind.scheme, template, config, async (uri, { id }) => {
    let value: unknown;
    try {
      value = await kind.read(decodeURIComponent(Array.isArray(id) ? (id[0] ?? '') : (id ?? '')));
    } catch (error) {
      throw new McpError(ErrorCode.InvalidParams, describeError(error));
    }
    if (value === null) throw new McpError(resourceNotFound, `Resource ${uri.href} not found`);
    return {
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
    };
  });
}
