import { type JsonAnswer, type JsonTestServer, startJsonServer } from '@episodic/plugin/testing';
import { countTokens } from './conservative-tokens.js';

/** The context of OpenAI's embedding models, as their refusals state it. */
export const contextTokens = 8192;

/** OpenAI's cap on the tokens of one request, summed over its inputs (`max_tokens_per_request`). */
export const requestTokens = 300_000;

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

/** OpenAI's answer to a batch it refuses: HTTP 400, an `invalid_request_error` unless said otherwise. */
function badRequest(
  message: string,
  param: string | null,
  code: string | null,
  type = 'invalid_request_error',
): JsonAnswer {
  return { status: 400, body: { error: { message, type, param, code } } };
}

/**
 * What OpenAI refuses in `input`: an empty text (some compatible servers: a blank one), one past
 * the context, and inputs of more than {@link requestTokens} in all (`tokens`).
 */
function refusal(input: readonly string[], tokens: number): JsonAnswer | null {
  if (input.some((text) => text.trim() === '')) {
    return badRequest(
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      null,
      null,
    );
  }
  const long = input.findIndex((text) => countTokens(text) > contextTokens);
  if (long !== -1) {
    return badRequest(
      `Invalid 'input[${long}]': maximum input length is ${contextTokens} tokens.`,
      `input[${long}]`,
      'invalid_value',
    );
  }
  if (tokens <= requestTokens) return null;
  const code = 'max_tokens_per_request';
  return badRequest(`Requested ${tokens} tokens, max ${requestTokens} tokens per request`, null, code, code);
}

/**
 * A real HTTP server on 127.0.0.1 that speaks OpenAI's embeddings wire format: `POST
 * /v1/embeddings` with `{ model, input, dimensions?, encoding_format }` answered by
 * `{ object: 'list', data: [{ object: 'embedding', index, embedding }], model, usage }`, the
 * items listed in reverse so that clients must use `index`. Like OpenAI it refuses the whole
 * batch, with its error body, when an input is empty or longer than {@link contextTokens}, or the
 * inputs are longer than {@link requestTokens} in all (counted by `countTokens`, which counts more
 * than OpenAI's tokenizers do).
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
    const input = body.input ?? [];
    const tokens = input.reduce((sum, text) => sum + countTokens(text), 0);
    const refused = refusal(input, tokens);
    if (refused !== null) return refused;
    const size = body.dimensions ?? dimensions;
    const data = input
      .map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, size) }))
      .reverse();
    return {
      body: {
        object: 'list',
        data,
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
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
