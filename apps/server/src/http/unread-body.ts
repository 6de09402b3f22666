import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What is left of a refused request's body. A client still sending it when the connection closes
 * often meets EPIPE rather than the refusal (Node's fetch: 7 of 20 bodies of 3 MiB against a
 * 1 MiB limit, on a busy machine), and the SDK halves a batch only on a 413 it read. So a body of
 * a declared length up to `drainBytes` is read and dropped; a longer one, or one of unknown length,
 * is cut off with the connection.
 */
export async function dropUnreadBody(
  req: IncomingMessage,
  res: ServerResponse,
  drainBytes: number,
): Promise<void> {
  if (req.complete) return;
  const declared = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(declared) || declared > drainBytes || req.destroyed) {
    res.setHeader('connection', 'close');
    return;
  }
  // Answered only once it is all read: a client that asked to close the connection (or a server
  // draining) has it closed as soon as the answer is out, mid-upload again otherwise.
  const ended = new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
  });
  req.resume();
  await ended;
}

/** The most of a refused body read and dropped: four times the limit (the SDK's 4 MiB batches against a server set to 1 MiB). */
export const drainFactor = 4;
