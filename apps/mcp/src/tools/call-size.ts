/** Bounds of one `memory_log_steps` call, the largest call any tool takes. */
export const stepLimits = {
  /** Steps in one call. */
  steps: 100,
  /** One step's `action`, in characters. */
  actionChars: 2000,
  /** One step's `result`, in characters. */
  resultChars: 20_000,
  /**
   * All actions and results of one call together. The fields' own bounds allow 2.2 M characters;
   * written as JSON, a control character (a binary file printed by a shell) takes 6 bytes, so such
   * a call is 13 MB on the wire, past the MCP SDK's 10 MiB stdio line and a server's default
   * 8 MiB body. A million characters stay under both, escaped or not.
   */
  callChars: 1_000_000,
} as const;

/** Bytes of JSON one UTF-16 unit can take at most: a control character is written `\u0001`. */
const escapedUnitBytes = 6;

/**
 * Longest JSON-RPC line the stdio transport reads: every call the advertised schema allows,
 * escaped at worst, with room for the field names and the envelope. One within the fields'
 * bounds but over `callChars` thus arrives and is refused with its reason; past this size the
 * transport gives up on its input altogether.
 */
export const largestCallBytes =
  stepLimits.steps * ((stepLimits.actionChars + stepLimits.resultChars) * escapedUnitBytes + 256) + 64 * 1024;
