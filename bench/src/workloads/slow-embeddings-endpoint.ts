import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible `POST /v1/embeddings` on 127.0.0.1 that answers every request after
 * `delayMs`, as a remote model does: what `complete_p95_ms` must not wait for.
 */
export async function startSlowEmbeddingsEndpoint(delayMs: number) {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { input, dimensions } = JSON.parse(body) as { input: string[]; dimensions?: number };
      const size = dimensions ?? 384;
      const data = input.map((text, index) => {
        const embedding = new Array<number>(size).fill(0.01);
        for (let i = 0; i < text.length; i += 1) embedding[(text.charCodeAt(i) * 31 + i) % size]! += 1;
        return { object: 'embedding', index, embedding };
      });
      setTimeout(
        () =>
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ object: 'list', data })),
        delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
