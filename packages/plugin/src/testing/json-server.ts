import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the server received, its body parsed as JSON (`null` when empty, the text when not JSON). */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** Answers one request itself and returns true, or returns false to let the normal answer through. */
export type Responder = (request: RecordedRequest, response: ServerResponse) => boolean | Promise<boolean>;

/** The normal answer to a request: a status (200 by default), a JSON body, headers. */
export interface JsonAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface JsonTestServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Every request so far, in order. Clear it with `requests.length = 0`. */
  requests: RecordedRequest[];
  /** The next requests are answered by these, in order (failures, delays, malformed bodies). */
  respondWith(...responders: Responder[]): void;
  close(): Promise<void>;
}

function parseBody(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * A real HTTP server on 127.0.0.1 for an HTTP provider's tests: `answer` speaks the API's wire
 * format; queued responders (`status(429, …)`, `hang`) stand in for the failures a real API
 * has, so retries, backoff, timeouts and aborts are tested over a real socket.
 *
 * @example
 * const server = await startJsonServer((request) => ({ body: { embeddings: fake(request.body) } }));
 * server.respondWith(status(429, { message: 'slow down' }, { 'retry-after': '1' }));
 */
export async function startJsonServer(
  answer: (request: RecordedRequest) => JsonAnswer | Promise<JsonAnswer>,
): Promise<JsonTestServer> {
  const requests: RecordedRequest[] = [];
  const queue: Responder[] = [];
  async function respond(incoming: IncomingMessage, raw: string, response: ServerResponse): Promise<void> {
    const request = {
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      headers: incoming.headers,
      body: parseBody(raw),
    };
    requests.push(request);
    const responder = queue.shift();
    if (responder !== undefined && (await responder(request, response))) return;
    const { status = 200, body, headers = {} } = await answer(request);
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => void respond(incoming, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith: (...responders) => queue.push(...responders),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a status, a body (JSON, or a string sent as it is) and headers. */
export function status(
  code: number,
  body: unknown = { error: { message: `status ${code}` } },
  headers: Record<string, string> = {},
): Responder {
  return (_request, response) => {
    response
      .writeHead(code, { 'content-type': 'application/json', ...headers })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
    return true;
  };
}

/** Never answers: the client's timeout or abort has to end the request. */
export const hang: Responder = () => true;
