import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: { model?: string; input?: string[]; dimensions?: number; encoding_format?: string };
}

/** Answers one request; returning nothing falls through to the normal embeddings answer. */
export type Responder = (request: RecordedRequest, response: ServerResponse) => boolean | Promise<boolean>;

/** A vector that depends only on the text: a stand-in model that is deterministic. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const bucket = (code * 31 + i) % dimensions;
    vector[bucket] = (vector[bucket] as number) + (code % 7) - 3 + 0.5;
  }
  return vector;
}

/**
 * A real HTTP server on 127.0.0.1 that speaks OpenAI's embeddings wire format: `POST
 * /v1/embeddings` with `{ model, input, dimensions?, encoding_format }` answered by
 * `{ object: 'list', data: [{ object: 'embedding', index, embedding }], model, usage }`, the
 * items listed in reverse so that clients must use `index`. Queued responders answer the next
 * requests first (errors, delays, malformed bodies).
 */
export async function startEmbeddingsServer(dimensions: number) {
  const requests: RecordedRequest[] = [];
  const queue: Responder[] = [];
  async function answer(incoming: IncomingMessage, raw: string, response: ServerResponse): Promise<void> {
    const request: RecordedRequest = {
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      headers: incoming.headers,
      body: raw === '' ? {} : (JSON.parse(raw) as RecordedRequest['body']),
    };
    requests.push(request);
    const responder = queue.shift();
    if (responder !== undefined && (await responder(request, response))) return;
    if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const inputs = request.body.input ?? [];
    const size = request.body.dimensions ?? dimensions;
    const data = inputs
      .map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, size) }))
      .reverse();
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        object: 'list',
        data,
        model: request.body.model,
        usage: { prompt_tokens: 1, total_tokens: 1 },
      }),
    );
  }

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => void answer(incoming, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    /** The next requests are answered by these, in order. */
    respondWith(...responders: Responder[]) {
      queue.push(...responders);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a status, optional headers and a JSON body. */
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

/** Never answers: the client's timeout or abort has to end it. */
export const hang: Responder = () => true;
