import { startJsonServer } from '@episodic/plugin/testing';

export interface CohereEmbedRequest {
  model?: string;
  texts?: string[];
  input_type?: string;
  embedding_types?: string[];
  output_dimension?: number;
  truncate?: string;
}

/** A stand-in model: counts of character bigrams hashed into `dimensions` buckets. Deterministic. */
export function bigramVector(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (let i = 0; i + 1 < text.length; i += 1) {
    const bucket = (text.charCodeAt(i) * 65_599 + text.charCodeAt(i + 1)) % dimensions;
    vector[bucket] = (vector[bucket] as number) + 1;
  }
  return vector;
}

/**
 * A real HTTP server on 127.0.0.1 speaking Cohere's v2 embed wire format: `POST /v2/embed` with
 * `{ model, texts, input_type, embedding_types, output_dimension?, truncate }`, answered with
 * `{ id, texts, embeddings: { float: [...] }, meta, response_type: 'embeddings_by_type' }`, and
 * errors as `{ id, message }`, as the real API does.
 */
export function startCohereServer(dimensions: number) {
  return startJsonServer((request) => {
    const body = (request.body ?? {}) as CohereEmbedRequest;
    if (request.method !== 'POST' || request.url !== '/v2/embed') {
      return { status: 404, body: { id: 'req-1', message: `no route for ${request.method} ${request.url}` } };
    }
    if (body.input_type === undefined || (body.texts ?? []).some((text) => text === '')) {
      return {
        status: 400,
        body: { id: 'req-2', message: 'invalid request: input_type is required and texts must not be empty' },
      };
    }
    const size = body.output_dimension ?? dimensions;
    const texts = body.texts ?? [];
    return {
      body: {
        id: 'req-3',
        texts,
        embeddings: { float: texts.map((text) => bigramVector(text, size)) },
        meta: { api_version: { version: '2' }, billed_units: { input_tokens: texts.length } },
        response_type: 'embeddings_by_type',
      },
    };
  });
}
