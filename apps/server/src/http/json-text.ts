/**
 * JSON a procedure returns as it is (UTF-8 bytes), so that what the engine keeps cached reaches
 * the socket without being parsed, encoded and converted again. The direct query path
 * (`direct-query.ts`) writes the bytes into the response; everywhere else (a batch, a
 * subscription) tRPC encodes the response with `JSON.stringify`, which sees the parsed value
 * through `toJSON`. The bytes a client receives are the same either way.
 */
export class JsonText {
  constructor(readonly bytes: Buffer) {}

  toJSON(): unknown {
    return JSON.parse(this.bytes.toString('utf8'));
  }
}

/**
 * Returns `bytes` from a procedure whose output is typed as the `T` they encode: what clients
 * receive over HTTP. Only for procedures served over HTTP; a caller in the same process would be
 * handed the wrapper.
 */
export function asJsonText<T>(bytes: Buffer): T {
  return new JsonText(bytes) as unknown as T;
}
