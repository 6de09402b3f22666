import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentObserver } from '../src/context.js';
import { EventBus } from '../src/events/event-bus.js';
import { createCallAdmission } from '../src/http/call-admission.js';
import { createAppRouter } from '../src/router.js';
import { rejection, startTestServer } from './__fixtures__/test-server.js';

/** Sends a body in chunks without a Content-Length, as a streaming client would. */
function postChunked(
  url: string,
  token: string,
  chunks: string[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may answer and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('HTTP surface', () => {
  it('answers episodes.get with the episode itself: in process, one GET per call, and batched', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const { id } = await admin.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    await admin.episodes.logSteps.mutate({ episodeId: id, steps: [{ action: 'run_tests', result: 'ok' }] });

    const memory = t.server.memory;
    const deps = {
      memory,
      events: new EventBus({ maxPerOwner: 16 }),
      databaseBytes: () => null,
      startedAt: 0,
      maxBodyBytes: 8 * 1024 * 1024,
    };
    const caller = createAppRouter(deps).createCaller({
      caller: { id: 'test', name: 'test', scopes: ['read'], domains: null },
      authProblem: '',
      observer: silentObserver,
      admission: createCallAdmission(8),
      recordDenied: () => undefined,
      endConnection: () => undefined,
    });
    const inProcess = await caller.episodes.get({ episodeId: id });
    // What a createCaller user gets is what the type says: the episode, not a wrapper around its JSON.
    expect(inProcess).toEqual(await memory.episodes.get(id));
    expect(inProcess.steps.map((step) => step.action)).toEqual(['run_tests']);
    expect(await t.client(t.adminToken, { batch: false }).episodes.get.query({ episodeId: id })).toEqual(
      inProcess,
    );
    expect(await admin.episodes.get.query({ episodeId: id })).toEqual(inProcess);
  });

  it('serves /healthz without a token', async () => {
    await using t = await startTestServer();
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      schemaVersion: await t.server.memory.admin.schemaVersion(),
    });
    expect((await fetch(`${t.url}/nothing-here`)).status).toBe(404);
  });

  it('sends a browser at / to the dashboard, and answers an API client there and under /ui/ with JSON', async () => {
    await using t = await startTestServer();
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await fetch(`${t.url}/`, { headers: html, redirect: 'manual' });
    expect(page.status).toBe(302);
    // Relative, as `/ui`'s own redirect: it resolves behind a proxy's path prefix too.
    expect(page.headers.get('location')).toBe('ui/');
    expect(page.headers.get('vary')).toBe('accept');
    const api = await fetch(`${t.url}/`, { redirect: 'manual' });
    expect(api.status).toBe(404);
    expect(api.headers.get('vary')).toBe('accept');
    expect(await api.json()).toEqual({
      error: 'not found',
      hint: 'the API is served under /trpc/, the dashboard under /ui/',
    });

    const missing = await fetch(`${t.url}/ui/episodes`, { headers: html });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(missing.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await missing.text()).toContain('<a href="./">Open the dashboard</a>');
    const nested = await fetch(`${t.url}/ui/views/nothing.js`, { headers: html });
    expect(await nested.text()).toContain('<a href="../">Open the dashboard</a>');
    const script = await fetch(`${t.url}/ui/episodes`);
    expect([script.status, await script.json()]).toEqual([404, { error: 'not found' }]);
  });

  it('answers /healthz 503 once the database file was deleted under it, logs why once, and goes on reading', async () => {
    const logged: string[] = [];
    await using t = await startTestServer({ log: (line) => logged.push(line) });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const file = join(t.dir, 'memory.db');
    for (const end of ['', '-wal', '-shm']) rmSync(`${file}${end}`, { force: true });
    // Reads still work (the process holds the file open), so a read alone would say 200.
    for (let probe = 0; probe < 2; probe += 1) {
      const res = await fetch(`${t.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        problem: 'database file deleted or replaced',
      });
    }
    // Reads through the API go on (the token check's last-used write, refused, once made every
    // request a 500).
    const admin = t.client(t.adminToken);
    expect(await admin.episodes.list.query({})).toMatchObject({ items: [] });
    // An admin asking the API is told why, path included.
    expect(await rejection(admin.admin.health.query())).toMatchObject({
      message: expect.stringContaining(`The database file ${file} was deleted`),
      data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
    });
    expect(logged.filter((line) => line.includes('/healthz answers 503'))).toEqual([
      `/healthz answers 503 from now on: The database file ${file} was deleted while this process had it open: nothing more is written to it (it would be lost when the process stops). Stop every process using it, then restore a backup (episodic restore) or start again on the new file.`,
    ]);
  });

  it('serves /metrics only to an admin token with metricsAccess: admin, telling the others why', async () => {
    await using t = await startTestServer({ metricsAccess: 'admin' });
    const scrape = async (token?: string) => {
      const res = await fetch(`${t.url}/metrics`, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      const text = await res.text();
      return { status: res.status, challenge: res.headers.get('www-authenticate'), text };
    };
    const reader = await t.token({ name: 'reader', scopes: ['read'], domains: ['shop'] });
    expect(await scrape()).toEqual({
      status: 401,
      challenge: 'Bearer',
      text: JSON.stringify({ error: 'Missing bearer token: send "Authorization: Bearer <token>".' }),
    });
    expect(await scrape(reader)).toEqual({
      status: 403,
      challenge: null,
      text: JSON.stringify({ error: 'This token lacks the "admin" scope (metricsAccess: admin).' }),
    });
    const admitted = await scrape(t.adminToken);
    expect(admitted.status).toBe(200);
    expect(admitted.text).toMatch(/episodic_http_requests_total\{route="metrics",status="403"\} 1/);
    // The refusal is audited as a denied read, as the API's are.
    const denied = await t.server.memory.admin.audit({ outcome: 'denied' });
    expect(denied).toEqual([expect.objectContaining({ entityType: 'procedure', entityId: 'metrics' })]);
  });

  it('exposes Prometheus metrics: calls and latencies by procedure, cache hit rates, database size', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const episode = await admin.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    await admin.episodes.get.query({ episodeId: episode.id });
    await admin.episodes.get.query({ episodeId: episode.id });
    await rejection(admin.episodes.get.query({ episodeId: 'nope' }));
    await rejection(t.client(undefined).episodes.list.query({}));

    const res = await fetch(`${t.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain(
      'episodic_procedure_calls_total{procedure="episodes.get",type="query",code="OK"} 2',
    );
    expect(text).toContain(
      'episodic_procedure_calls_total{procedure="episodes.get",type="query",code="BAD_REQUEST"} 1',
    );
    expect(text).toContain(
      'episodic_procedure_calls_total{procedure="episodes.list",type="query",code="UNAUTHORIZED"} 1',
    );
    expect(text).toContain('episodic_procedure_duration_seconds_count{procedure="episodes.get"} 3');
    expect(text).toMatch(
      /episodic_procedure_duration_seconds_bucket\{procedure="episodes\.start",le="\+Inf"\} 1/,
    );
    expect(text).toMatch(/episodic_http_requests_total\{route="trpc",status="401"\} 1/);
    for (const keyspace of ['episode', 'pattern', 'query']) {
      expect(text).toMatch(new RegExp(`episodic_cache_hit_rate\\{keyspace="${keyspace}"\\} [0-9.]+`));
    }
    expect(text).toContain('episodic_cache_read_errors_total 0');
    expect(text).toMatch(/episodic_vector_index_bytes \d+/);
    // The change feed was read at start and after each write: seconds ago, not minutes.
    const feedAge = Number(/episodic_cache_feed_age_seconds ([0-9.e-]+)/.exec(text)?.[1]);
    expect(feedAge).toBeGreaterThanOrEqual(0);
    expect(feedAge).toBeLessThan(60);
    for (const learner of ['embeddings', 'mining']) {
      expect(text).toMatch(new RegExp(`episodic_learning_pending\\{learner="${learner}"\\} \\d+`));
      expect(text).toMatch(new RegExp(`episodic_learning_failed\\{learner="${learner}"\\} 0`));
    }
    const size = Number(/episodic_database_size_bytes (\d+)/.exec(text)?.[1]);
    expect(size).toBeGreaterThan(4096);
    // What an operator watches for growth: the process and its resident split, and each thread's heap.
    const kinds = ['rss', 'heap_used', 'heap_total', 'external', 'array_buffers', 'learning_heap_used'];
    if (process.platform === 'linux') kinds.push('rss_anon', 'rss_file');
    for (const kind of kinds)
      expect(
        Number(new RegExp(`episodic_process_memory_bytes\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1]),
      ).toBeGreaterThan(0);
    // Which V8 space holds the heap, per thread: what tells live data from garbage kept for later.
    for (const thread of ['serving', 'learning']) {
      const bytes = (space: string, kind: string) =>
        Number(
          new RegExp(
            `episodic_v8_heap_space_bytes\\{thread="${thread}",space="${space}",kind="${kind}"\\} (\\d+)`,
          ).exec(text)?.[1],
        );
      expect(bytes('old', 'used')).toBeGreaterThan(0);
      expect(bytes('old', 'committed')).toBeGreaterThanOrEqual(bytes('old', 'used'));
      expect(bytes('new', 'committed')).toBeGreaterThan(0);
    }
  });

  it('refuses a body over the limit with 413, declared or streamed, and stores nothing', async () => {
    await using t = await startTestServer({ maxBodyBytes: 2048 });
    const admin = t.client(t.adminToken);
    const episode = await admin.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    const steps = Array.from({ length: 40 }, (_, i) => ({ action: `step ${i} `.repeat(10) }));

    const declared = await rejection(admin.episodes.logSteps.mutate({ episodeId: episode.id, steps }));
    expect(declared.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect(declared.message).toMatch(/larger than the server's limit of 2048 bytes/);

    const body = JSON.stringify({ episodeId: episode.id, steps });
    const streamed = await postChunked(`${t.url}/trpc/episodes.logSteps`, t.adminToken, [
      body.slice(0, 1000),
      body.slice(1000),
    ]);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE' } } });

    expect((await admin.episodes.get.query({ episodeId: episode.id })).steps).toEqual([]);
    const small = await admin.episodes.logSteps.mutate({
      episodeId: episode.id,
      steps: [{ action: 'fits' }],
    });
    expect(small).toHaveLength(1);
  });

  it('answers a request Node cannot parse (headers over 16 KiB, not HTTP) in tRPC error format, with the reason', async () => {
    await using t = await startTestServer();
    // A query whose input rides in the URL: 60 KB of it is past Node's header limit.
    const input = encodeURIComponent(JSON.stringify({ text: 'timeout '.repeat(7500) }));
    const long = await fetch(`${t.url}/trpc/search.text?input=${input}`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect([long.status, await long.json()]).toEqual([
      431,
      {
        error: {
          message: expect.stringMatching(/^The request's headers are over the server's 16 KiB: .* POST body/),
          code: -32600,
          data: { code: 'BAD_REQUEST', httpStatus: 431, issues: null },
        },
      },
    ]);
    // The real client, sending its queries as GETs, reports that reason.
    const viaGet = await rejection(
      t.client(t.adminToken, { batch: false }).search.text.query({ text: 'timeout '.repeat(7500) }),
    );
    expect(viaGet.message).toMatch(/^The request's headers are over the server's 16 KiB/);

    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(t.url).port), '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.write('NOT HTTP AT ALL\r\n\r\n');
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: { message: 'The request is not valid HTTP.', data: { code: 'BAD_REQUEST', httpStatus: 400 } },
    });
    // And the server goes on answering.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('refuses a JSON body that is not UTF-8 with 400 and a clear message, alone or batched, storing nothing', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    // C3 28 is a lead byte with a wrong continuation, FF and FE are never UTF-8: a lenient
    // decoder would store them as U+FFFD, neither what was sent nor a refusal.
    const body = Buffer.concat([
      Buffer.from('{"taskType":"debugging","domain":"web","context":"probe '),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const post = async (path: string, bytes: Buffer) => {
      const response = await fetch(`${t.url}/trpc/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        body: bytes,
      });
      return { status: response.status, body: await response.text() };
    };
    const alone = await post('episodes.start', body);
    const batched = await post(
      'episodes.start,episodes.start?batch=1',
      Buffer.concat([
        Buffer.from('{"0":{"taskType":"debugging","domain":"web"},"1":'),
        body,
        Buffer.from('}'),
      ]),
    );
    for (const answer of [alone, batched]) {
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({
        error: {
          message: 'The request body is not valid UTF-8.',
          data: { code: 'BAD_REQUEST', httpStatus: 400 },
        },
      });
    }
    expect((await admin.episodes.list.query({})).items).toEqual([]);
    // The same text in UTF-8 is stored as sent.
    const valid = await post('episodes.start', Buffer.from(body.toString('latin1'), 'utf8'));
    expect(valid.status).toBe(200);
    expect(JSON.parse(valid.body).result.data.context).toBe('probe Ã(ÿþ');
  });

  it('refuses an integer a JSON number cannot hold exactly (a 64-bit id), storing nothing; a string keeps it', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const post = async (body: string) => {
      const response = await fetch(`${t.url}/trpc/episodes.start`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        body,
      });
      return { status: response.status, body: JSON.parse(await response.text()) };
    };
    // What Python's json.dumps sends for an order id: JSON.parse made it 12345678901234567000.
    const rounded = await post(
      '{"taskType":"debugging","domain":"web","metadata":{"orderId":12345678901234567890}}',
    );
    expect(rounded.status).toBe(400);
    expect(rounded.body.error.message).toMatch(
      /integer 12345678901234567890.*cannot hold exactly.*Send it as a string/,
    );
    expect((await admin.episodes.list.query({})).items).toEqual([]);
    // Exact doubles, fractions, exponents and the same digits in a string are taken as sent.
    const exact = await post(
      '{"taskType":"debugging","domain":"web","context":"id 12345678901234567890","metadata":{"ns":1764640000000000000,"big":1.5e300,"id":"12345678901234567890"}}',
    );
    expect(exact.status).toBe(200);
    expect(exact.body.result.data.metadata).toEqual({
      ns: 1764640000000000000,
      big: 1.5e300,
      id: '12345678901234567890',
    });
  });

  it('labels as JSON the errors of a request refused before its calls are known', async () => {
    await using t = await startTestServer();
    const authorization = `Bearer ${t.adminToken}`;
    const answers = await Promise.all([
      fetch(`${t.url}/trpc/episodes.start`, { method: 'POST', headers: { authorization }, body: '{}' }),
      fetch(`${t.url}/trpc/episodes.list,episodes.start?batch=1`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '{"0":{},"1":{}}',
      }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(await answer.text())).toHaveProperty('error.message');
    }
  });
});
