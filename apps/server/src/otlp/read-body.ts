import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

const tooLarge = (max: number) =>
  new BodyError(413, `Request body is larger than the server's limit of ${max} bytes.`);

/** Refuses a body whose declared length is past `max`, before a byte of it is read. */
export function refuseDeclaredLength(req: IncomingMessage, max: number): void {
  if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge(max);
}

/**
 * The request body, at most `max` bytes on the wire and, with `gzip` (`Content-Encoding: gzip`,
 * which OTLP exporters may send), after it: a declared length past the limit is refused before reading.
 */
export async function readBody(
  req: IncomingMessage,
  max: number,
  { gzip }: { gzip: boolean },
): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && (encoding !== 'gzip' || !gzip))
    throw new BodyError(
      415,
      `Content-Encoding "${encoding}" is not supported: send ${gzip ? 'gzip or none' : 'none'}.`,
    );
  refuseDeclaredLength(req, max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  if (encoding === 'identity') return body;
  return new Promise((resolve, reject) =>
    gunzip(body, { maxOutputLength: max }, (error, out) => {
      if (error === null) resolve(out);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(tooLarge(max));
      else reject(new BodyError(400, `The gzip body cannot be decompressed: ${error.message}`));
    }),
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `body` as text. Bytes that are not UTF-8 are refused: a lenient decode would store them as
 * U+FFFD, which is neither what the client sent nor a refusal it can see.
 */
export function utf8Text(body: Uint8Array): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new BodyError(400, 'The request body is not valid UTF-8.');
  }
}
