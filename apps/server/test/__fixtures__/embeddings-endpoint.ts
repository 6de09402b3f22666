import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible `POST /v1/embeddings` on 127.0.0.1 whose answers the test controls:
 * `hold()` leaves every request hanging (a provider that stopped answering), `answer()` answers
 * the held ones and every later one, `refuse(message)` answers 400 with `message` (an error no
 * client retries). Vectors depend only on the text.
 */
export async function startEmbeddingsEndpoint(dimensions: number) {
  const held: (() => void)[] = [];
  let holding = false;
  let refusal: string | null = null;
  let requests = 0;
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests += 1;
      for (const wake of [...waiters]) wake();
      const reply = () =>
        refusal === null
          ? respond(response, (JSON.parse(body) as { input: string[] }).input, dimensions)
          : response
              .writeHead(400, { 'content-type': 'application/json' })
              .end(JSON.stringify({ error: { message: refusal, type: 'invalid_request_error' } }));
      if (holding) held.push(reply);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests: () => requests,
    hold: () => void (holding = true),
    refuse: (message: string) => void (refusal = message),
    answer() {
      holding = false;
      refusal = null;
      for (const reply of held.splice(0)) reply();
    },
    /** Resolves once a request has arrived. */
    requested: () =>
      new Promise<void>((resolve) => {
        if (requests > 0) return resolve();
        waiters.add(resolve);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function respond(response: ServerResponse, input: string[], dimensions: number): void {
  const data = input.map((text, index) => {
    const embedding = new Array<number>(dimensions).fill(0.01);
    for (let i = 0; i < text.length; i += 1) embedding[(text.charCodeAt(i) + i) % dimensions]! += 1;
    return { object: 'embedding', index, embedding };
  });
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ object: 'list', data }));
}
