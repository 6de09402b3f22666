import { type JsonTestServer, startJsonServer } from '@episodic/plugin/testing';

export interface EmbeddingsRequestBody {
  model?: string;
  input?: string[];
  dimensions?: number;
  encoding_format?: string;
}

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
 * items listed in reverse so that clients must use `index`.
 */
export async function startEmbeddingsServer(dimensions: number) {
  const server: JsonTestServer = await startJsonServer((request) => {
    // Any path ending in /embeddings, so Azure's deployment URLs (with `?api-version=`) reach it too.
    if (
      request.method !== 'POST' ||
      new URL(request.url, 'http://host').pathname.match(/\/embeddings$/) === null
    ) {
      return { status: 404, body: { error: { message: 'not found' } } };
    }
    const body = (request.body ?? {}) as EmbeddingsRequestBody;
    const size = body.dimensions ?? dimensions;
    const data = (body.input ?? [])
      .map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, size) }))
      .reverse();
    return {
      body: { object: 'list', data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } },
    };
  });
  return {
    ...server,
    baseURL: `${server.url}/v1`,
    requests: server.requests as (Omit<JsonTestServer['requests'][number], 'body'> & {
      body: EmbeddingsRequestBody;
    })[],
  };
}
