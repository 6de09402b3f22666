import { ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError } from '../tools/tool-answer.js';

/** The MCP specification's "resource not found" code (the SDK's `ErrorCode` has no name for it). */
const resourceNotFound = -32002;

/** The single id a URI template variable matched. */
export function variable(value: string | string[] | undefined): string {
  return decodeURIComponent(Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
}

/**
 * A resource as JSON, read by `load`; `null` (absent, or outside the token's domains: the two look
 * alike on purpose) becomes the protocol's not-found error, any failure a clean error message.
 */
export async function readJsonResource(uri: URL, load: () => Promise<unknown>): Promise<ReadResourceResult> {
  let value: unknown;
  try {
    value = await load();
  } catch (error) {
    throw new McpError(ErrorCode.InvalidParams, describeError(error));
  }
  if (value === null) throw new McpError(resourceNotFound, `Resource ${uri.href} not found`);
  return {
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  };
}
