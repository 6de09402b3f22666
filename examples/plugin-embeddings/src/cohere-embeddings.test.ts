import { PluginError } from '@episodic/plugin';
import { type JsonTestServer, status, testEmbeddingProvider } from '@episodic/plugin/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bigramVector, type CohereEmbedRequest, startCohereServer } from './__fixtures__/cohere-server.js';
import { type CohereEmbeddingsOptions, createCohereEmbeddings } from './index.js';

const dimensions = 32;
const apiKeyEnv = 'EPISODIC_TEST_COHERE_KEY';
const apiKey = 'co-test-0123456789abcdefSECRET';
let server: JsonTestServer;

beforeAll(async () => {
  server = await startCohereServer(dimensions);
  process.env[apiKeyEnv] = apiKey;
});
afterAll(async () => {
  delete process.env[apiKeyEnv];
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

const provider = (options: CohereEmbeddingsOptions = {}) =>
  createCohereEmbeddings({
    baseURL: server.url,
    model: 'embed-english-v3.0',
    dimensions,
    apiKeyEnv,
    ...options,
  });
const sent = () => server.requests.map((request) => request.body as CohereEmbedRequest);

async function failure(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (caught: unknown) => caught,
  );
  expect(PluginError.isInstance(error)).toBe(true);
  expect((error as Error).message).not.toContain(apiKey);
  return error as PluginError;
}

testEmbeddingProvider(() => provider({ maxBatchSize: 16 }), { name: 'cohere wire format on 127.0.0.1' });

describe('Cohere embeddings', () => {
  it('speaks Cohere v2: POST /v2/embed, bearer key, input_type, float embeddings read in order', async () => {
    const vectors = await provider().embed(['first text', 'second text']);
    expect(vectors.map((vector) => Array.from(vector))).toEqual([
      bigramVector('first text', dimensions),
      bigramVector('second text', dimensions),
    ]);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      url: '/v2/embed',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: {
        model: 'embed-english-v3.0',
        texts: ['first text', 'second text'],
        input_type: 'search_document',
        embedding_types: ['float'],
        truncate: 'END',
      },
    });
    expect(sent()[0]).not.toHaveProperty('output_dimension');
  });

  it('asks embed-v4.0 for its output_dimension, knows model lengths, and stamps a non-default input type', async () => {
    await provider({ model: 'embed-v4.0', dimensions: 256 }).embed(['x y']);
    expect(sent()[0]).toMatchObject({ model: 'embed-v4.0', output_dimension: 256 });
    expect(createCohereEmbeddings().dimensions).toBe(1536);
    expect(createCohereEmbeddings({ inputType: 'clustering' }).model).toBe('embed-v4.0:clustering');
  });

  it('batches within 96 texts and maxBatchChars, and never sends an empty text', async () => {
    const texts = [...Array.from({ length: 100 }, (_, i) => `note ${i}`), '', 'x'.repeat(30)];
    const vectors = await provider({ maxBatchChars: 400 }).embed(texts);
    expect(vectors).toHaveLength(102);
    expect(Array.from(vectors[100] as Float32Array)).toEqual(new Array(dimensions).fill(0));
    const batches = sent().map((body) => body.texts ?? []);
    expect(batches.flat()).toEqual(texts.filter((text) => text !== ''));
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(96);
      expect(batch.join('').length).toBeLessThanOrEqual(400);
    }
  });

  it('retries a 429 after its Retry-After, and reports Cohere error messages without the key', async () => {
    server.respondWith(status(429, { id: 'r', message: 'trial key rate limit' }, { 'retry-after': '1' }));
    const started = performance.now();
    await provider({ maxRetries: 1 }).embed(['x']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);

    server.respondWith(status(400, { id: 'r', message: `invalid model for key ${apiKey}` }));
    const refused = await failure(provider().embed(['x']));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', status: 400, plugin: 'cohere embeddings' });
    expect(refused.message).toContain('invalid model for key [redacted]');

    server.respondWith(status(401, { id: 'r', message: 'invalid api token' }));
    const auth = await failure(provider({ apiKeyEnv: 'EPISODIC_TEST_NO_COHERE_KEY' }).embed(['x']));
    expect(auth).toMatchObject({ code: 'AUTH', attempts: 1 });
    expect(auth.message).toContain('EPISODIC_TEST_NO_COHERE_KEY is not set');
  });

  it('refuses an answer with the wrong number or length of vectors as BAD_RESPONSE', async () => {
    server.respondWith(status(200, { embeddings: { float: [] } }));
    expect(await failure(provider().embed(['x']))).toMatchObject({ code: 'BAD_RESPONSE' });
    server.respondWith(status(200, { embeddings: { float: [[1, 2]] } }));
    expect((await failure(provider().embed(['x']))).message).toMatch(
      /embedding 0 is not an array of 32 numbers/,
    );
  });

  it('refuses bad options, naming the field', () => {
    expect(() => createCohereEmbeddings({ model: 'my-finetune' })).toThrow(
      /dimensions: is required for model "my-finetune"/,
    );
    expect(() => createCohereEmbeddings({ maxBatchSize: 97 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
