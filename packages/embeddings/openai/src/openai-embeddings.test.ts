import { createHash } from 'node:crypto';
import { hang, status, testEmbeddingProvider } from '@episodic/plugin/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from './__fixtures__/conservative-tokens.js';
import {
  contextTokens,
  fakeEmbedding,
  requestTokens,
  startEmbeddingsServer,
} from './__fixtures__/embeddings-server.js';
import { createOpenAIEmbeddings, OpenAIEmbeddingsError, type OpenAIEmbeddingsOptions } from './index.js';

const dimensions = 24;
const apiKeyEnv = 'EPISODIC_TEST_EMBEDDINGS_KEY';
const apiKey = 'sk-test-0123456789abcdefSECRET';
let server: Awaited<ReturnType<typeof startEmbeddingsServer>>;

beforeAll(async () => {
  server = await startEmbeddingsServer(dimensions);
  process.env[apiKeyEnv] = apiKey;
});
afterAll(async () => {
  delete process.env[apiKeyEnv];
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

function provider(options: OpenAIEmbeddingsOptions = {}) {
  return createOpenAIEmbeddings({
    baseURL: server.baseURL,
    model: 'nomic-embed-text',
    dimensions,
    apiKeyEnv,
    retryBaseMs: 1,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<OpenAIEmbeddingsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (caught: unknown) => caught,
  );
  expect(OpenAIEmbeddingsError.isInstance(error)).toBe(true);
  expect(String((error as Error).message)).not.toContain(apiKey);
  return error as OpenAIEmbeddingsError;
}

testEmbeddingProvider(() => provider({ maxBatchSize: 16 }), {
  name: 'openai-compatible server on 127.0.0.1',
});

describe('OpenAI-compatible embeddings', () => {
  it('speaks the wire format: POST {baseURL}/embeddings, bearer key from the environment, float encoding', async () => {
    const vectors = await provider({ baseURL: `${server.baseURL}/` }).embed(['first text', 'second text']);
    expect(vectors.map((vector) => Array.from(vector))).toEqual([
      Array.from(Float32Array.from(fakeEmbedding('first text', dimensions))),
      Array.from(Float32Array.from(fakeEmbedding('second text', dimensions))),
    ]);
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: { model: 'nomic-embed-text', input: ['first text', 'second text'], encoding_format: 'float' },
    });
    expect(request?.body).not.toHaveProperty('dimensions');
  });

  it("keeps a baseURL's query (Azure's ?api-version=) after the /embeddings path", async () => {
    const azure = provider({ baseURL: `${server.url}/openai/deployments/embed/?api-version=2024-02-01` });
    const [vector] = await azure.embed(['x']);
    expect(vector).toHaveLength(dimensions);
    expect(server.requests[0]?.url).toBe('/openai/deployments/embed/embeddings?api-version=2024-02-01');
  });

  it('sends dimensions to text-embedding-3 models, and knows their default length', async () => {
    await provider({ model: 'text-embedding-3-small', dimensions: 8 }).embed(['x']);
    expect(server.requests[0]?.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 8 });
    expect(createOpenAIEmbeddings({ model: 'text-embedding-3-large' }).dimensions).toBe(3072);
  });

  it('splits batches by maxBatchSize, keeps input order, and embeds empty texts as zeros without asking', async () => {
    const texts = ['a1', '', 'b2', 'c3', '   ', 'd4', 'e5'];
    const vectors = await provider({ maxBatchSize: 2 }).embed(texts);
    expect(server.requests.map((request) => request.body.input)).toEqual([
      ['a1', 'b2'],
      ['c3', 'd4'],
      ['e5'],
    ]);
    expect(Array.from(vectors[1] as Float32Array)).toEqual(new Array(dimensions).fill(0));
    expect(Array.from(vectors[6] as Float32Array)).toEqual(
      Array.from(Float32Array.from(fakeEmbedding('e5', dimensions))),
    );
  });

  it('sends custom headers through an injected fetch, and batches by maxBatchChars', async () => {
    const urls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const texts = ['aaaaaaaa', 'bbbb', 'cccc', 'dd'];
    await provider({ fetch: recording, headers: { 'x-team': 'search' }, maxBatchChars: 9 }).embed(texts);
    expect(urls).toEqual([
      `${server.baseURL}/embeddings`,
      `${server.baseURL}/embeddings`,
      `${server.baseURL}/embeddings`,
    ]);
    expect(server.requests.map((request) => request.body.input)).toEqual([
      ['aaaaaaaa'],
      ['bbbb', 'cccc'],
      ['dd'],
    ]);
    expect(server.requests[0]?.headers).toMatchObject({
      'x-team': 'search',
      authorization: `Bearer ${apiKey}`,
    });
  });

  it('cuts huge texts to maxInputChars and sends well-formed text only', async () => {
    await provider({ maxInputChars: 10 }).embed(['0123456789abcdef', 'lone \ud800 surrogate']);
    expect(server.requests[0]?.body.input).toEqual(['0123456789', 'lone \ufffd sur']);
  });

  it('never sends a text that is blank once cut: it gets the zero vector, as an empty text does', async () => {
    const vectors = await provider({ maxInputChars: 10 }).embed([`${' '.repeat(12)}tail`, 'x']);
    expect(server.requests.map((request) => request.body.input)).toEqual([['x']]);
    expect(Array.from(vectors[0] as Float32Array)).toEqual(new Array(dimensions).fill(0));
  });

  it('keeps every input within the context: CJK cut by its bytes, dense ASCII cut when refused, English whole', async () => {
    const english = 'error: connection reset by peer while reading the response body. '
      .repeat(250)
      .slice(0, 16_000);
    const cjk = '東京の天気は晴れです。'.repeat(600);
    const hex = Array.from({ length: 250 }, (_, i) =>
      createHash('sha256').update(String(i)).digest('hex'),
    ).join('');
    // As they are, the second and third would cost the whole batch an HTTP 400.
    expect([english, cjk, hex].map((text) => countTokens(text) > contextTokens)).toEqual([false, true, true]);
    const vectors = await provider().embed([english, cjk, hex, 'short']);
    // 2,730 CJK characters are 8,190 bytes; the refused hex is halved out and sent again as 8,191 bytes.
    expect(server.requests.map((request) => request.body.input?.map((text) => text.length))).toEqual([
      [16_000, 2730, 16_000, 5],
      [16_000, 2730],
      [16_000, 5],
      [16_000],
      [8191],
      [5],
    ]);
    const sent = [english, cjk.slice(0, 2730), hex.slice(0, 8191), 'short'];
    expect(vectors.map((vector) => Array.from(vector))).toEqual(
      sent.map((text) => Array.from(Float32Array.from(fakeEmbedding(text, dimensions)))),
    );
  });

  /** vLLM's refusals for a model of 512 tokens (bge, e5): the older wording, and the newer one. */
  const vllmRefusals = [
    [
      'older',
      {
        object: 'error',
        message:
          "This model's maximum context length is 512 tokens. However, you requested 600 tokens in the input for embedding generation. Please reduce the length of the input.",
        type: 'BadRequestError',
        param: null,
        code: 400,
      },
    ],
    [
      'newer',
      {
        error: {
          message: 'max context 512 tokens, the prompt had at least 600',
          type: 'BadRequestError',
          param: null,
          code: 400,
        },
      },
    ],
  ] as const;

  it.each(vllmRefusals)(
    "cuts a refused input to the smaller context vLLM's %s wording states",
    async (_, body) => {
      server.respondWith(status(400, body));
      await provider().embed(['x'.repeat(600)]);
      expect(server.requests.map((request) => request.body.input)).toEqual([
        ['x'.repeat(600)],
        ['x'.repeat(512)],
      ]);
    },
  );

  it("cuts an input llama.cpp's server refuses with HTTP 500 as past its batch, at once and to the batch it states", async () => {
    const tooLarge = {
      error: {
        code: 500,
        message:
          'input (600 tokens) is too large to process. increase the physical batch size (current batch size: 512)',
        type: 'server_error',
      },
    };
    server.respondWith(status(500, tooLarge));
    const [vector] = await provider().embed(['x'.repeat(600)]);
    expect(vector).toHaveLength(dimensions);
    // Not retried as an outage: the second request is the input cut to 512 bytes.
    expect(server.requests.map((request) => request.body.input)).toEqual([
      ['x'.repeat(600)],
      ['x'.repeat(512)],
    ]);

    // Older servers state no size: the refusal is final, not retried, for the caller to isolate.
    server.requests.length = 0;
    server.respondWith(
      status(500, {
        error: { code: 500, message: 'input is too large to process. increase the physical batch size' },
      }),
    );
    const error = await failure(provider().embed(['short', 'x'.repeat(600)]));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 500, attempts: 1 });
    expect(error.message).toContain('input is too large to process');
    expect(server.requests).toHaveLength(1);
  });

  it('gives zeros, with no second request, to a refused input whose cut keeps only blanks', async () => {
    server.respondWith(status(400, vllmRefusals[0][1]));
    const padded = `${' '.repeat(9000)}${'0123456789abcdef'.repeat(400)}`.slice(0, 16_000);
    const [vector] = await provider().embed([padded]);
    expect(Array.from(vector as Float32Array)).toEqual(new Array(dimensions).fill(0));
    expect(server.requests).toHaveLength(1);
  });

  it("keeps a batch of long English texts within the server's tokens per request", async () => {
    const english = 'error: connection reset by peer while reading the response body. '.repeat(250);
    const texts = Array.from({ length: 64 }, (_, i) => `${i}: ${english}`.slice(0, 16_000));
    // Each within the context, together past the cap: sent as one request, the batch was refused.
    expect(texts.every((text) => countTokens(text) <= contextTokens)).toBe(true);
    expect(texts.reduce((sum, text) => sum + countTokens(text), 0)).toBeGreaterThan(requestTokens);
    const vectors = await provider().embed(texts);
    // At an estimated 8,000 tokens a text, 37 fit in 300,000.
    expect(server.requests.map((request) => request.body.input?.length)).toEqual([37, 27]);
    expect(vectors.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => Array.from(Float32Array.from(fakeEmbedding(text, dimensions)))),
    );
  });

  it('halves a batch the server still refuses as too many tokens per request, and reports what halving cannot cure', async () => {
    // Hex counts near a token a character here, the estimate half: 66 texts fit the budget, not the server.
    const hex = (i: number) =>
      Array.from({ length: 141 }, (_, j) => createHash('sha256').update(`${i}.${j}`).digest('hex'))
        .join('')
        .slice(0, 9000);
    const texts = Array.from({ length: 66 }, (_, i) => hex(i));
    expect(texts.every((text) => countTokens(text) <= contextTokens)).toBe(true);
    const vectors = await provider().embed(texts);
    expect(server.requests.map((request) => request.body.input?.length)).toEqual([66, 33, 33]);
    expect(vectors.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => Array.from(Float32Array.from(fakeEmbedding(text, dimensions)))),
    );

    server.requests.length = 0;
    const perRequest = status(400, {
      error: {
        message: 'Requested 341234 tokens, max 300000 tokens per request',
        type: 'max_tokens_per_request',
        param: null,
        code: 'max_tokens_per_request',
      },
    });
    server.respondWith(perRequest, perRequest);
    const error = await failure(provider().embed(['one', 'two']));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
    expect(error.message).toContain('max 300000 tokens per request');
    expect(server.requests.map((request) => request.body.input)).toEqual([['one', 'two'], ['one']]);
  });

  it('does not retry a context refusal that cutting cannot cure: every input is within the bound already', async () => {
    server.respondWith(
      status(400, {
        error: {
          message: "Invalid 'input[0]': maximum input length is 8192 tokens.",
          type: 'invalid_request_error',
          param: 'input[0]',
          code: 'invalid_value',
        },
      }),
    );
    const error = await failure(provider().embed(['short', 'other']));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
    expect(error.message).toContain('maximum input length is 8192 tokens');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429, honouring Retry-After in seconds', async () => {
    server.respondWith(status(429, { error: { message: 'slow down' } }, { 'retry-after': '1' }));
    const started = performance.now();
    await provider().embed(['x']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('retries 5xx answers with backoff, honouring retry-after-ms, then succeeds', async () => {
    server.respondWith(status(503, 'upstream unavailable', { 'retry-after-ms': '150' }), status(502));
    const started = performance.now();
    const [vector] = await provider().embed(['x']);
    expect(vector).toHaveLength(dimensions);
    expect(server.requests).toHaveLength(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('gives up after maxRetries with the last status', async () => {
    server.respondWith(status(500), status(500), status(500));
    const error = await failure(provider({ maxRetries: 2 }).embed(['x']));
    expect(error).toMatchObject({ code: 'SERVER', status: 500, attempts: 3 });
    expect(error.message).toMatch(/HTTP 500.*after 3 attempts/);
  });

  it('refuses at once on 401, naming the variable but never the key', async () => {
    server.respondWith(status(401, { error: { message: `Incorrect API key provided: ${apiKey}` } }));
    const error = await failure(provider().embed(['x']));
    expect(error).toMatchObject({ code: 'AUTH', status: 401, attempts: 1 });
    expect(error.message).toContain(apiKeyEnv);
    expect(server.requests).toHaveLength(1);
  });

  it('reports other 4xx as BAD_REQUEST with the server message, scrubbed of the key', async () => {
    server.respondWith(status(400, { error: { message: `input too long for model (key ${apiKey})` } }));
    const error = await failure(provider().embed(['x']));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
    expect(error.message).toContain('input too long for model');
    expect(error.message).toContain('[redacted]');
  });

  it("keeps a key given in headers (a proxy's api-key) out of errors too, when the server echoes it", async () => {
    // Azure-style proxies take a 32-hex `api-key` header, which has no `sk-` shape, and proxies echo it.
    const proxyKey = '0123456789abcdef0123456789abcdef';
    const proxied = provider({ headers: { 'api-key': proxyKey, 'x-team': 'search' } });
    server.respondWith(
      status(400, {
        error: { message: `Invalid proxy token. Received API Key = ${proxyKey} (team search)` },
      }),
    );
    const error = await failure(proxied.embed(['x']));
    expect(error.message).not.toContain(proxyKey);
    expect(error.message).toContain('(team search)');
  });

  it('refuses malformed answers: not JSON, wrong count, wrong length, non-numbers, bad index', async () => {
    const bodies = [
      'not json at all',
      { data: [] },
      { data: [{ index: 0, embedding: [1, 2] }] },
      { data: [{ index: 0, embedding: new Array(dimensions).fill('1') }] },
      { data: [{ index: 3, embedding: new Array(dimensions).fill(1) }] },
      { nothing: true },
    ];
    for (const body of bodies) {
      server.respondWith(status(200, body));
      // Every error carries the answer's status and the attempts made: one, since none is retried.
      expect(await failure(provider().embed(['x']))).toMatchObject({
        code: 'BAD_RESPONSE',
        status: 200,
        attempts: 1,
      });
    }
  });

  it('times out a request that never completes, and retries it', async () => {
    server.respondWith(hang, hang);
    const error = await failure(provider({ timeoutMs: 100, maxRetries: 1 }).embed(['x']));
    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 2 });
  });

  it('rejects with an AbortError when aborted mid-request or during a backoff wait', async () => {
    server.respondWith(hang);
    const controller = new AbortController();
    const call = provider().embed(['x'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await call.catch((caught: unknown) => (caught as Error).name)).toBe('AbortError');

    server.respondWith(status(429, {}, { 'retry-after': '30' }));
    const waiting = new AbortController();
    const backoff = provider().embed(['x'], { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 100);
    expect(await backoff.catch((caught: unknown) => (caught as Error).name)).toBe('AbortError');
  });

  it('reports a server it cannot reach as NETWORK', async () => {
    const closed = await startEmbeddingsServer(dimensions);
    await closed.close();
    const error = await failure(provider({ baseURL: closed.baseURL, maxRetries: 1 }).embed(['x']));
    expect(error).toMatchObject({ code: 'NETWORK', attempts: 2 });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('sends no Authorization header when the key variable is unset, and says so on a 401', async () => {
    const unset = provider({ apiKeyEnv: 'EPISODIC_TEST_NO_SUCH_KEY' });
    await unset.embed(['x']);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    server.respondWith(status(401));
    expect((await failure(unset.embed(['x']))).message).toContain('EPISODIC_TEST_NO_SUCH_KEY is not set');
  });

  it('refuses bad options with a typed error naming the field', () => {
    expect(() => createOpenAIEmbeddings({ model: 'my-local-model' })).toThrow(
      /dimensions: is required for model "my-local-model"/,
    );
    expect(() => createOpenAIEmbeddings({ baseURL: 'ftp://example' })).toThrow(OpenAIEmbeddingsError);
    expect(() => createOpenAIEmbeddings({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
  });
});
