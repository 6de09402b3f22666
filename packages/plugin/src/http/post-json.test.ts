import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PluginError } from '../plugin-error.js';
import { hang, type JsonTestServer, startJsonServer, status } from '../testing/json-server.js';
import { type PostJsonOptions, postJson } from './post-json.js';

const secret = 'sk-live-0123456789SECRET';
let server: JsonTestServer;

beforeAll(async () => {
  server = await startJsonServer((request) => ({ body: { echo: request.body } }));
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

function post(options: Partial<PostJsonOptions> = {}) {
  return postJson({ url: `${server.url}/v1/embed`, body: { texts: ['x'] }, retryBaseMs: 1, ...options });
}

async function failure(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (caught: unknown) => caught,
  );
  expect(PluginError.isInstance(error)).toBe(true);
  expect((error as Error).message).not.toContain(secret);
  return error as PluginError;
}

describe('postJson', () => {
  it('POSTs JSON with custom headers, leaving out undefined ones, and returns the parsed answer', async () => {
    const answer = await post({
      headers: { Authorization: `Bearer ${secret}`, 'X-Client-Name': 'episodic', 'x-none': undefined },
    });
    expect(answer).toEqual({ echo: { texts: ['x'] } });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/embed' });
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${secret}`,
      'x-client-name': 'episodic',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(request?.headers).not.toHaveProperty('x-none');
  });

  it('goes through an injected fetch', async () => {
    const seen: string[] = [];
    const answer = await post({
      fetch: (input, init) => {
        seen.push(`${init?.method} ${String(input)}`);
        return Promise.resolve(new Response(JSON.stringify({ from: 'injected' }), { status: 200 }));
      },
    });
    expect(answer).toEqual({ from: 'injected' });
    expect(seen).toEqual([`POST ${server.url}/v1/embed`]);
    expect(server.requests).toHaveLength(0);
  });

  it('retries a 429 after the Retry-After seconds the server asked for', async () => {
    server.respondWith(status(429, { message: 'slow down' }, { 'retry-after': '1' }));
    const started = performance.now();
    await post();
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('retries 5xx answers with backoff, honouring retry-after-ms, then succeeds', async () => {
    server.respondWith(status(503, 'upstream unavailable', { 'retry-after-ms': '150' }), status(502));
    const started = performance.now();
    expect(await post()).toEqual({ echo: { texts: ['x'] } });
    expect(server.requests).toHaveLength(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('gives up after maxRetries with the last status and the number of attempts', async () => {
    server.respondWith(status(500), status(500), status(500));
    const error = await failure(post({ maxRetries: 2, plugin: 'test provider' }));
    expect(error).toMatchObject({ code: 'SERVER', status: 500, attempts: 3, plugin: 'test provider' });
    expect(error.message).toMatch(/HTTP 500.*after 3 attempts/);
  });

  it('refuses at once on 401 with the hint, never echoing the secret', async () => {
    server.respondWith(status(401, { message: `invalid api token ${secret}` }));
    const error = await failure(
      post({ secrets: [secret], service: 'The Acme API', authHint: 'check ACME_API_KEY' }),
    );
    expect(error).toMatchObject({ code: 'AUTH', status: 401, attempts: 1 });
    expect(error.message).toBe('The Acme API refused the credentials (HTTP 401): check ACME_API_KEY.');
    expect(server.requests).toHaveLength(1);
  });

  it('reports other 4xx as BAD_REQUEST with the message of any usual error shape, scrubbed', async () => {
    const shapes = [
      { error: { message: `too long (key ${secret})` } },
      { error: `too long (key ${secret})` },
      { message: `too long (key ${secret})` },
      { detail: `too long (key ${secret})` },
    ];
    for (const body of shapes) {
      server.respondWith(status(400, body));
      const error = await failure(post({ secrets: [secret] }));
      expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400, attempts: 1 });
      expect(error.message).toBe('The server refused the request (HTTP 400): too long (key [redacted])');
    }
  });

  it('refuses a 2xx that is not JSON as BAD_RESPONSE, without retrying', async () => {
    server.respondWith(status(200, 'not json at all'));
    expect(await failure(post())).toMatchObject({
      code: 'BAD_RESPONSE',
      attempts: 1,
      message: 'The server answered with something that is not JSON.',
    });
    // What Python's json.dumps writes for a model's non-numbers.
    server.respondWith(status(200, '{"data":[{"embedding":[0.1,NaN,-Infinity]}]}'));
    expect((await failure(post())).message).toBe(
      'The server answered JSON with NaN or Infinity in it (JSON has no such numbers): the model produced non-numbers.',
    );
  });

  it('times out a request that never completes, and retries it', async () => {
    server.respondWith(hang, hang);
    expect(await failure(post({ timeoutMs: 100, maxRetries: 1 }))).toMatchObject({
      code: 'TIMEOUT',
      attempts: 2,
    });
  });

  it('rejects with the signal reason when aborted before, during a request, or during a backoff wait', async () => {
    await expect(post({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(0);

    server.respondWith(hang);
    const during = new AbortController();
    setTimeout(() => during.abort(), 50);
    await expect(post({ signal: during.signal })).rejects.toMatchObject({ name: 'AbortError' });

    server.respondWith(status(429, {}, { 'retry-after': '30' }));
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(), 100);
    const started = performance.now();
    await expect(post({ signal: waiting.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('reports a server it cannot reach as NETWORK, after its retries', async () => {
    const closed = await startJsonServer(() => ({ body: {} }));
    await closed.close();
    const error = await failure(
      postJson({ url: `${closed.url}/x`, body: {}, maxRetries: 1, retryBaseMs: 1 }),
    );
    expect(error).toMatchObject({ code: 'NETWORK', attempts: 2 });
    expect(error.message).toContain('ECONNREFUSED');
  });
});
