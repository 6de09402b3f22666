import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Libsql from 'libsql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { derivedId } from '../src/otlp/derived-id.js';
import { encodeMessage } from '../src/otlp/protobuf-reader.js';
import { startTestServer, type TestServer } from '../src/testing/test-server.js';
import { createTestClient } from './__fixtures__/test-server.js';

const maxBodyBytes = 64 * 1024;
let t: TestServer;
let writer: string;

beforeAll(async () => {
  t = await startTestServer({ maxBodyBytes });
  writer = await t.token({ name: 'otel', scopes: ['read', 'write'], domains: ['agents'] });
});
afterAll(() => t.close());

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

function span(trace: number, id: number, fields: Record<string, unknown> = {}) {
  return {
    traceId: hex(trace, 16),
    spanId: hex(id, 8),
    name: `span ${id}`,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(id) * 1_000_000n),
    endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(id) * 1_000_000n + 5_000_000n),
    ...fields,
  };
}
const tool = (trace: number, id: number, name: string) =>
  span(trace, id, {
    parentSpanId: hex(1, 8),
    attributes: [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', name)],
  });
const request = (spans: unknown[], domain: string | null = 'agents') => ({
  resourceSpans: [
    {
      resource: { attributes: domain === null ? [] : [str('episodic.domain', domain)] },
      scopeSpans: [{ spans }],
    },
  ],
});

async function post(
  body: unknown,
  options: { token?: string; type?: string; gzip?: boolean; url?: string } = {},
) {
  const raw = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const bytes = options.gzip === true ? gzipSync(raw) : raw;
  const response = await fetch(`${options.url ?? t.url}/v1/traces`, {
    method: 'POST',
    headers: {
      'content-type': options.type ?? 'application/json',
      ...(options.token === '' ? {} : { authorization: `Bearer ${options.token ?? writer}` }),
      ...(options.gzip === true ? { 'content-encoding': 'gzip' } : {}),
    },
    body: bytes,
  });
  const text = await response.text();
  return { status: response.status, text };
}

async function storedCount(): Promise<number> {
  return (await t.server.memory.episodes.list({ limit: 500 })).items.length;
}

describe('POST /v1/traces', () => {
  it('stores a trace sent gzipped, and reports spans that came after their root as rejected', async () => {
    expect(await post(request([span(1, 1), tool(1, 2, 'search')]), { gzip: true })).toEqual({
      status: 200,
      text: '{}',
    });
    const late = await post(request([tool(1, 3, 'too-late')]));
    expect(late.status).toBe(200);
    expect(JSON.parse(late.text)).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: "1 of 1 spans arrived after their trace's root span and were not stored.",
      },
    });
    const [episode] = (await t.server.memory.episodes.list({ domain: 'agents' })).items;
    const stored = await t.server.memory.episodes.get(episode?.id ?? '');
    expect(stored?.steps.map((step) => step.action)).toEqual(['search']);
  });

  it('stores a root span sent again once, and reports one that gives its finished trace another outcome', async () => {
    const root = span(146, 1);
    expect(await post(request([root, tool(146, 2, 'search')]))).toEqual({ status: 200, text: '{}' });
    // An exporter's retry of the whole request: nothing is new, nothing is rejected.
    expect(await post(request([root, tool(146, 2, 'search')]))).toEqual({ status: 200, text: '{}' });
    const failed = await post(request([{ ...root, status: { code: 2, message: 'boom' } }]));
    expect([failed.status, JSON.parse(failed.text)]).toEqual([
      200,
      {
        partialSuccess: {
          rejectedSpans: '1',
          errorMessage:
            '1 root spans gave their trace an outcome after its episode had ended otherwise; the episode keeps its first outcome.',
        },
      },
    ]);
    const episode = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (item) => item.metadata?.traceId === hex(146, 16),
    );
    expect(episode?.status).toBe('completed');
  });

  it('dates the episode by its root span, a part without the root by its first span, and never in the future', async () => {
    const iso = (unixNano: unknown) => new Date(Number(BigInt(String(unixNano)) / 1_000_000n)).toISOString();
    const root = span(40, 1);
    expect((await post(request([root, tool(40, 2, 'search')]))).status).toBe(200);
    const whole = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (episode) => episode.metadata?.traceId === hex(40, 16),
    );
    expect([whole?.createdAt, whole?.completedAt]).toEqual([
      iso(root.startTimeUnixNano),
      iso(root.endTimeUnixNano),
    ]);

    const child = tool(41, 7, 'search');
    expect((await post(request([child]))).status).toBe(200);
    const future = String(BigInt(Date.now() + 86_400_000) * 1_000_000n);
    const before = Date.now();
    expect(
      (await post(request([span(41, 1, { startTimeUnixNano: future, endTimeUnixNano: future })]))).status,
    ).toBe(200);
    const parts = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (episode) => episode.metadata?.traceId === hex(41, 16),
    );
    expect(parts?.createdAt).toBe(iso(child.startTimeUnixNano));
    expect(parts?.status).toBe('completed');
    const ended = Date.parse(parts?.completedAt ?? '');
    expect(ended >= before && ended <= Date.now()).toBe(true);

    const backwards = span(42, 1, { endTimeUnixNano: '1600000000000000000' });
    expect((await post(request([backwards]))).status).toBe(200);
    const slipped = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (episode) => episode.metadata?.traceId === hex(42, 16),
    );
    expect([slipped?.createdAt, slipped?.completedAt]).toEqual([
      iso(backwards.startTimeUnixNano),
      iso(backwards.startTimeUnixNano),
    ]);
  });

  it('takes the task type the root span names when the root comes after the tool spans, as exporters send it', async () => {
    // A batch exporter sends a trace's spans as they end: the root, which ends last, comes last.
    expect((await post(request([tool(44, 2, 'run_tests')]))).status).toBe(200);
    const root = span(44, 1, { attributes: [str('episodic.task_type', 'debugging')] });
    expect((await post(request([root]))).status).toBe(200);
    const episode = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (item) => item.metadata?.traceId === hex(44, 16),
    );
    expect([episode?.taskType, episode?.status]).toEqual(['debugging', 'completed']);
  });

  it('stores a trace whose task type is no string under the default, the value kept as its JSON', async () => {
    // A key-value list (an object without a prototype once read) made `String` throw: a 500, the export lost.
    const kvlist = { key: 'episodic.task_type', value: { kvlistValue: { values: [str('kind', 'review')] } } };
    expect((await post(request([span(45, 1, { attributes: [kvlist] })]))).status).toBe(200);
    const episode = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (item) => item.metadata?.traceId === hex(45, 16),
    );
    expect([episode?.taskType, episode?.metadata?.taskType]).toEqual(['analysis', '{"kind":"review"}']);
  });

  it('stores a tool span as the store accepts it: NUL and lone surrogates replaced, its time never ahead of now', async () => {
    const future = String(BigInt(Date.now() + 86_400_000) * 1_000_000n);
    const printed = (id: number, result: string, fields: Record<string, unknown> = {}) =>
      span(43, id, {
        parentSpanId: hex(1, 8),
        attributes: [
          str('gen_ai.operation.name', 'execute_tool'),
          str('gen_ai.tool.name', 'cat'),
          str('gen_ai.tool.call.result', result),
        ],
        ...fields,
      });
    const before = Date.now();
    const response = await post(
      request([
        span(43, 1),
        printed(2, 'binary\u0000file'),
        printed(3, 'half an emoji \uD83D'),
        printed(4, 'fast clock', { startTimeUnixNano: future, endTimeUnixNano: future }),
      ]),
    );
    expect(response).toEqual({ status: 200, text: '{}' });
    const listed = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (episode) => episode.metadata?.traceId === hex(43, 16),
    );
    const steps = (await t.server.memory.episodes.get(listed?.id ?? ''))?.steps ?? [];
    expect(steps.map((step) => step.result)).toEqual([
      'binary\uFFFDfile',
      'half an emoji \uFFFD',
      'fast clock',
    ]);
    const dated = Date.parse(steps[2]?.timestamp ?? '');
    expect(dated >= before && dated <= Date.now()).toBe(true);
  });

  it('stores a tool span that names no tool, and one longer than the store allows a step to last', async () => {
    const days = (n: number) => String(1_700_000_000_000_000_000n + BigInt(n) * 86_400_000_000_000n);
    const nameless = span(52, 2, {
      name: '',
      parentSpanId: hex(1, 8),
      attributes: [str('gen_ai.operation.name', 'execute_tool')],
    });
    const long = { ...tool(52, 3, 'watch'), endTimeUnixNano: days(30) };
    expect(await post(request([span(52, 1, { endTimeUnixNano: days(31) }), nameless, long]))).toEqual({
      status: 200,
      text: '{}',
    });
    const listed = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
      (episode) => episode.metadata?.traceId === hex(52, 16),
    );
    const steps = (await t.server.memory.episodes.get(listed?.id ?? ''))?.steps ?? [];
    expect(steps.map((step) => [step.action, step.durationMs])).toEqual([
      ['unknown tool', 5],
      ['watch', 2_147_483_647],
    ]);
  });

  it('records the tool calls and task of OpenInference, OpenLLMetry and GenAI-message traces', async () => {
    const child = (trace: number, id: number, attributes: unknown[]) =>
      span(trace, id, { parentSpanId: hex(1, 8), attributes });
    const openInference = [
      span(147, 1, {
        attributes: [str('openinference.span.kind', 'AGENT'), str('input.value', 'Why does checkout fail?')],
      }),
      child(147, 2, [
        str('openinference.span.kind', 'TOOL'),
        str('tool.name', 'search_logs'),
        str('tool.parameters', '{"type":"object","properties":{"query":{"type":"string"}}}'),
        str('input.value', '{"query":"checkout"}'),
        str('output.value', 'TypeError: total is undefined'),
      ]),
      // A model call is no step.
      child(147, 3, [str('openinference.span.kind', 'LLM'), str('input.value', 'prompt text')]),
    ];
    const openLlmetry = [
      span(148, 1, {
        attributes: [
          str('traceloop.span.kind', 'workflow'),
          str('traceloop.entity.input', '{"args":["Rotate the API keys"],"kwargs":{}}'),
        ],
      }),
      child(148, 2, [
        str('traceloop.span.kind', 'tool'),
        str('traceloop.entity.name', 'rotate_key'),
        str('traceloop.entity.input', '{"args":[],"kwargs":{"service":"billing"}}'),
        str('traceloop.entity.output', '"rotated"'),
      ]),
    ];
    const messages = JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: 'You are a coding agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Fix the flaky cart test' }] },
    ]);
    const genAi = [
      span(149, 1, {
        attributes: [str('gen_ai.operation.name', 'invoke_agent'), str('gen_ai.input.messages', messages)],
      }),
      tool(149, 2, 'run_tests'),
    ];
    expect(await post(request([...openInference, ...openLlmetry, ...genAi]))).toEqual({
      status: 200,
      text: '{}',
    });

    const stored = async (trace: number) => {
      const listed = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
        (episode) => episode.metadata?.traceId === hex(trace, 16),
      );
      const episode = await t.server.memory.episodes.get(listed?.id ?? '');
      return [
        episode?.context,
        episode?.steps.map((step) => [step.action, step.metadata?.parameters, step.result]),
      ];
    };
    expect(await stored(147)).toEqual([
      'Why does checkout fail?',
      [['search_logs', { query: 'checkout' }, 'TypeError: total is undefined']],
    ]);
    expect(await stored(148)).toEqual([
      '{"args":["Rotate the API keys"],"kwargs":{}}',
      [['rotate_key', { args: [], kwargs: { service: 'billing' } }, 'rotated']],
    ]);
    expect((await stored(149))[0]).toBe('Fix the flaky cart test');
  });

  it('reads fields left out as their proto3 defaults, in protobuf and in JSON', async () => {
    const episodeOf = async (trace: number) => {
      const listed = (await t.server.memory.episodes.list({ domain: 'agents' })).items.find(
        (episode) => episode.metadata?.traceId === hex(trace, 16),
      );
      return t.server.memory.episodes.get(listed?.id ?? '');
    };
    const keyValue = (key: string, value: string) =>
      encodeMessage([
        [1, key],
        [2, encodeMessage([[1, value]])],
      ]);
    // As Python's and Go's protobuf libraries write them: no name (an empty string), no times (0),
    // and a status of code ERROR without a message.
    const ids = (trace: number, id: number): Array<[number, Uint8Array]> => [
      [1, Buffer.from(hex(trace, 16), 'hex')],
      [2, Buffer.from(hex(id, 8), 'hex')],
    ];
    const protoTool = encodeMessage([
      ...ids(50, 2),
      [4, Buffer.from(hex(1, 8), 'hex')],
      [9, keyValue('gen_ai.operation.name', 'execute_tool')],
      [9, keyValue('gen_ai.tool.name', 'grep')],
      [15, encodeMessage([[3, 2]])],
    ]);
    const protoBody = encodeMessage([
      [
        1,
        encodeMessage([
          [1, encodeMessage([[1, keyValue('episodic.domain', 'agents')]])],
          [
            2,
            encodeMessage([
              [2, encodeMessage(ids(50, 1))],
              [2, protoTool],
            ]),
          ],
        ]),
      ],
    ]);
    expect(await post(protoBody, { type: 'application/x-protobuf' })).toEqual({ status: 200, text: '' });
    const fromProto = await episodeOf(50);
    expect([fromProto?.status, fromProto?.context]).toEqual(['completed', '']);
    expect(fromProto?.steps.map((s) => [s.action, s.success, s.result, s.durationMs])).toEqual([
      ['grep', false, 'error', null],
    ]);

    // The same in OTLP/JSON, with an empty list and an empty key left out of attribute values too.
    const jsonTool = {
      traceId: hex(51, 16),
      spanId: hex(2, 8),
      parentSpanId: hex(1, 8),
      // An end without a start: the duration is unknown, not the 50 years since 1970.
      endTimeUnixNano: '1700000000000000000',
      attributes: [
        str('gen_ai.operation.name', 'execute_tool'),
        str('gen_ai.tool.name', 'grep'),
        {
          key: 'gen_ai.tool.call.arguments',
          value: { kvlistValue: { values: [{ value: { arrayValue: {} } }] } },
        },
      ],
      status: { code: 2 },
    };
    expect(await post(request([{ traceId: hex(51, 16), spanId: hex(1, 8) }, jsonTool]))).toEqual({
      status: 200,
      text: '{}',
    });
    const fromJson = await episodeOf(51);
    expect([fromJson?.status, fromJson?.context]).toEqual(['completed', '']);
    expect(fromJson?.steps.map((s) => [s.action, s.success, s.durationMs, s.metadata?.parameters])).toEqual([
      ['grep', false, null, { '': [] }],
    ]);
  });

  it('answers with the same tokens and domain scope as the API, and stores nothing it refuses', async () => {
    const before = await storedCount();
    const reader = await t.token({ name: 'reader', scopes: ['read'], domains: null });
    expect((await post(request([span(2, 1)]), { token: '' })).status).toBe(401);
    expect((await post(request([span(2, 1)]), { token: 'not-a-token' })).status).toBe(401);
    expect((await post(request([span(2, 1)]), { token: reader })).status).toBe(403);
    const other = await post(request([span(2, 1)], 'billing'));
    expect(other.status).toBe(403);
    expect(JSON.parse(other.text).message).toMatch(/domain "billing"/u);
    // Without episodic.domain the trace goes to "default", which this token may not write either.
    expect((await post(request([span(2, 1)], null))).status).toBe(403);
    expect(await storedCount()).toBe(before);
  });

  it('refuses a trace of another domain with the same 403 whether or not it was stored before', async () => {
    const writerId = writer.split('_')[1];
    const denials = async () => {
      await t.server.memory.admin.flushAudit();
      const entries = await t.server.memory.admin.audit({ actor: writerId, outcome: 'denied' });
      return entries.filter((entry) => entry.domain === 'billing' && entry.entityType === 'episodes').length;
    };
    const deniedBefore = await denials();
    // The admin token (every domain) stores trace 60 in "billing"; trace 61 is stored nowhere.
    expect(await post(request([span(60, 1)], 'billing'), { token: t.adminToken })).toEqual({
      status: 200,
      text: '{}',
    });
    const stored = await post(request([span(60, 1)], 'billing'));
    const unknown = await post(request([span(61, 1)], 'billing'));
    expect(stored).toEqual(unknown);
    expect(stored).toEqual({
      status: 403,
      text: JSON.stringify({ code: 7, message: 'This caller may not write to domain "billing".' }),
    });
    // Audited as denials, as the engine audits its own.
    expect(await denials()).toBe(deniedBefore + 2);
  });

  it("keeps the ids it derives from traces out of reach of another domain's token", async () => {
    // A trace id is no secret (every service of a distributed trace sees it in `traceparent`), so
    // another domain's token can compute the id this domain's trace 70 will get, and its steps'.
    const other = createTestClient(
      t.url,
      await t.token({ name: 'other team', scopes: ['read', 'write'], domains: ['other'] }),
    );
    const traceId = hex(70, 16);
    const episodeId = derivedId('agents', traceId);
    const preclaim = other.episodes.record.mutate([
      { id: episodeId, taskType: 'debugging', domain: 'other' },
    ]);
    await expect(preclaim).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    await expect(preclaim).rejects.toThrow(/0\.id: must not be a version-8 UUID/u);
    const own = await other.episodes.record.mutate([
      { id: '0190a0b0-0000-7000-8000-00000000f001', taskType: 'debugging', domain: 'other' },
    ]);
    const stepClaim = other.episodes.logSteps.mutate({
      episodeId: own[0]?.episode.id as string,
      steps: [{ id: derivedId(episodeId, hex(2, 8)), action: 'grep' }],
    });
    await expect(stepClaim).rejects.toThrow(/steps\.0\.id: must not be a version-8 UUID/u);

    // This domain's export of the trace is stored under the id it derives, steps included.
    expect(await post(request([span(70, 1), tool(70, 2, 'grep')]))).toEqual({ status: 200, text: '{}' });
    const stored = await t.server.memory.episodes.get(episodeId);
    expect(stored).toMatchObject({ domain: 'agents', steps: [{ action: 'grep' }] });
  });

  it('refuses malformed and hostile payloads with 400 and a clear message, storing nothing', async () => {
    const before = await storedCount();
    const deep = (depth: number): unknown =>
      depth === 0
        ? { stringValue: 'x' }
        : { kvlistValue: { values: [{ key: 'k', value: deep(depth - 1) }] } };
    const cases: Array<[unknown, RegExp, string?]> = [
      ['{"resourceSpans": [', /not valid JSON/u],
      [
        request([span(3, 1, { traceId: 'zz' })]),
        /resourceSpans\.0\.scopeSpans\.0\.spans\.0\.traceId: must be 16 bytes in hex/u,
      ],
      [request([span(3, 1, { startTimeUnixNano: '-1' })]), /startTimeUnixNano/u],
      // A left-out id is the empty id (its proto3 default), which is no id.
      [request([{ spanId: hex(1, 8) }]), /spans\.0\.traceId: must be 16 bytes in hex/u],
      [request([span(3, 1, { attributes: [{ key: 'a', value: deep(50) }] })]), /nested deeper than 8/u],
      [
        Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        /not a valid OTLP protobuf message/u,
        'application/x-protobuf',
      ],
      [Uint8Array.from([0x0f]), /not a valid OTLP protobuf message/u, 'application/x-protobuf'],
      // Bytes that are not UTF-8, refused as the protobuf reader refuses them, not stored as U+FFFD.
      [
        Buffer.from(
          JSON.stringify(request([span(6, 1, { name: 'tool \u0000' })])).replace('\\u0000', '\u00ff'),
          'latin1',
        ),
        /not valid UTF-8/u,
      ],
    ];
    for (const [body, message, type] of cases) {
      const answer = await post(body, { type });
      expect(answer.status, String(message)).toBe(400);
      const text = type === undefined ? JSON.parse(answer.text).message : answer.text;
      expect(text).toMatch(message);
    }
    expect(await storedCount()).toBe(before);
  });

  it('refuses an export of many bad spans with a bounded message, in JSON and in protobuf, and goes on serving', async () => {
    // 1,000 empty spans: two issues each. Encoding that whole list as the protobuf answer
    // overflowed the stack inside the endpoint's own error handling, and the server exited.
    const empty = (): [number, Uint8Array] => [2, new Uint8Array()];
    const bodies = {
      'application/json': JSON.stringify(request(Array.from({ length: 1000 }, () => ({})))),
      // ExportTraceServiceRequest { resource_spans { scope_spans { spans × 1000 } } }
      'application/x-protobuf': encodeMessage([
        [1, encodeMessage([[2, encodeMessage(Array.from({ length: 1000 }, empty))]])],
      ]),
    };
    for (const [type, body] of Object.entries(bodies)) {
      const answer = await fetch(`${t.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${writer}` },
        body,
      });
      expect(answer.status, type).toBe(400);
      const bytes = new Uint8Array(await answer.arrayBuffer());
      expect(bytes.length, type).toBeLessThan(4_000);
      expect(new TextDecoder().decode(bytes)).toMatch(/spans\.0\.traceId: .*; and \d+ more/u);
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('refuses protobuf attribute values nested past the limit', async () => {
    let value = encodeMessage([[1, 'x']]);
    for (let depth = 0; depth < 20; depth++) value = encodeMessage([[5, encodeMessage([[1, value]])]]);
    const attribute = encodeMessage([
      [1, 'k'],
      [2, value],
    ]);
    const protoSpan = encodeMessage([
      [1, Buffer.from(hex(6, 16), 'hex')],
      [2, Buffer.from(hex(1, 8), 'hex')],
      [5, 'root'],
      [9, attribute],
    ]);
    const body = encodeMessage([[1, encodeMessage([[2, encodeMessage([[2, protoSpan]])]])]]);
    const answer = await post(body, { type: 'application/x-protobuf' });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/nested deeper than 8/u);
  });

  it('logs nothing for a client that goes away mid-upload, and counts it as aborted', async () => {
    const lines: string[] = [];
    await using own = await startTestServer({ log: (line) => lines.push(line) });
    const token = await own.token({ name: 'otel', scopes: ['write'], domains: null });
    const metric = async (pattern: RegExp) =>
      Number(pattern.exec(await (await fetch(`${own.url}/metrics`)).text())?.[1] ?? 0);
    const upload = httpRequest(`${own.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    upload.on('error', () => undefined);
    upload.write('{"resourceSpans":');
    // In flight beside the scrape itself: the server is reading the body. Generous waits: with a
    // 10 s bound this wait ran out once in CI on a machine loaded by other work.
    await vi.waitFor(
      async () =>
        expect(await metric(/^episodic_http_requests_in_flight (\d+)$/mu)).toBeGreaterThanOrEqual(2),
      { timeout: 60_000, interval: 50 },
    );
    upload.destroy();
    const aborted = /^episodic_http_requests_total\{route="otlp",status="aborted"\} (\d+)$/mu;
    await vi.waitFor(async () => expect(await metric(aborted)).toBe(1), { timeout: 60_000, interval: 50 });
    // A whole request after it: the aborted one's handler has long finished.
    const answer = await fetch(`${own.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(answer.status).toBe(200);
    expect(lines).toEqual([]);
  }, 150_000);

  it('limits the body size, compressed or not, and the media type', async () => {
    const big = request([span(7, 1, { name: 'x'.repeat(maxBodyBytes) })]);
    expect((await post(big)).status).toBe(413);
    expect((await post(big, { gzip: true })).status).toBe(413);
    expect((await post(request([span(7, 1)]), { type: 'text/plain' })).status).toBe(415);
    expect((await fetch(`${t.url}/v1/traces`)).status).toBe(405);
  });
});

describe('POST /v1/traces: nothing an export may carry loses it', () => {
  // An exporter drops a batch answered 400 or 500 for good (OTLP/HTTP retries only 429, 502, 503
  // and 504): each case below once lost every span of its request, the valid ones included.
  const stored = (trace: number, memory = t.server.memory) =>
    memory.episodes.get(derivedId('agents', hex(trace, 16)));
  const ok = { status: 200, text: '{}' };

  it('stores tool arguments the store would refuse or change as text cut to fit: escapes, structured values, "__proto__" keys, 64-bit ids', async () => {
    const called = (trace: number, value: unknown) =>
      span(trace, 2, {
        parentSpanId: hex(1, 8),
        attributes: [
          str('gen_ai.operation.name', 'execute_tool'),
          str('gen_ai.tool.name', 'call'),
          { key: 'gen_ai.tool.call.arguments', value },
        ],
      });
    // JSON cut by an exporter's attribute length limit: under 8,192 characters, twice that escaped.
    const quoted = `{"payload": "${'\\"'.repeat(4088)}`;
    const values = Array.from({ length: 400 }, (_, i) => ({
      key: `k${i}`,
      value: { stringValue: 'x'.repeat(60) },
    }));
    const args: Array<[number, unknown]> = [
      [80, { stringValue: quoted }],
      [81, { kvlistValue: { values } }],
      [82, { stringValue: '{"__proto__": {"x": 1}}' }],
      // A 64-bit id, as Python's json.dumps writes it: parsed, it would be another number.
      [78, { stringValue: '{"order_id": 12345678901234567890}' }],
    ];
    for (const [trace, value] of args)
      expect(await post(request([span(trace, 1), called(trace, value)]))).toEqual(ok);

    const metadata = async (trace: number) => (await stored(trace))?.steps[0]?.metadata;
    for (const [trace, whole] of [
      [80, quoted],
      [81, JSON.stringify(Object.fromEntries(values.map(({ key, value }) => [key, value.stringValue])))],
    ] as const) {
      const kept = await metadata(trace);
      const cut = String(kept?.parameters);
      expect(cut.endsWith('…') && whole.startsWith(cut.slice(0, -1))).toBe(true);
      // Cut to the store's limit (maxMetadataChars, 16,384) as serialised, not far short of it.
      expect(JSON.stringify(kept).length).toBeGreaterThan(16_300);
      expect(JSON.stringify(kept).length).toBeLessThanOrEqual(16_384);
    }
    expect(await metadata(82)).toEqual({ parameters: '{"__proto__": {"x": 1}}', spanId: hex(2, 8) });
    expect(await metadata(78)).toEqual({
      parameters: '{"order_id": 12345678901234567890}',
      spanId: hex(2, 8),
    });
  });

  it('stores a trace with more tool spans than one record takes (1,000), in start order, completed after them all', async () => {
    // This file's server takes 64 KiB bodies; 1,001 spans are more.
    await using roomy = await startTestServer();
    const token = await roomy.token({ name: 'otel', scopes: ['write'], domains: ['agents'] });
    const tools = Array.from({ length: 1001 }, (_, i) => tool(83, i + 2, `tool${i + 2}`));
    expect(await post(request([span(83, 1), ...tools.reverse()]), { token, url: roomy.url })).toEqual(ok);
    const episode = await stored(83, roomy.server.memory);
    expect(episode?.status).toBe('completed');
    expect(episode?.stepCount).toBe(1001);
    // More steps than a page (maxPageSize, 500): the rest are read on from the episode's cursor.
    const steps = [...(episode?.steps ?? [])];
    for (let cursor = episode?.nextStepsCursor ?? null; cursor !== null; ) {
      const page = await roomy.server.memory.episodes.steps(episode?.id ?? '', { cursor });
      steps.push(...(page?.items ?? []));
      cursor = page?.nextCursor ?? null;
    }
    expect(steps.map((step) => [step.stepNumber, step.action])).toEqual(
      Array.from({ length: 1001 }, (_, i) => [i + 1, `tool${i + 2}`]),
    );
  });

  describe('an export of more traces than one engine call takes (1,000 records)', () => {
    // Learning off: these tests count rows, and the learners would write beside the endpoint.
    const roomy = (options: Parameters<typeof startTestServer>[0] = {}) =>
      startTestServer({ learning: { run: false }, ...options });
    /** `count` traces from `first` on, each a root span (with `rootFields`) and a tool span. */
    const traces = (first: number, count: number, rootFields: (trace: number) => Record<string, unknown>) =>
      Array.from({ length: count }, (_, i) => [
        span(first + i, 1, rootFields(first + i)),
        tool(first + i, 2, 'grep'),
      ]).flat();
    /** Completed episodes and steps in the server's database, read beside it. */
    function storedRows(dir: string) {
      const db = new Libsql(join(dir, 'memory.db'));
      try {
        const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
        return {
          completed: count("SELECT count(*) AS n FROM episodes WHERE status = 'completed'"),
          steps: count('SELECT count(*) AS n FROM steps'),
        };
      } finally {
        db.close();
      }
    }

    it('stores each trace, and each once when the export is sent again', async () => {
      await using server = await roomy();
      const token = await server.token({ name: 'otel', scopes: ['write'], domains: ['agents'] });
      const body = request(traces(1000, 1200, () => ({})));
      expect(await post(body, { token, url: server.url })).toEqual(ok);
      expect(storedRows(server.dir)).toEqual({ completed: 1200, steps: 1200 });
      expect(await post(body, { token, url: server.url })).toEqual(ok);
      expect(storedRows(server.dir)).toEqual({ completed: 1200, steps: 1200 });
    });

    it('answers 503 when a later transaction finds the database busy, and the retry stores the rest, nothing twice', async () => {
      await using server = await roomy({ memory: { busyTimeoutMs: 200 } });
      const token = await server.token({ name: 'otel', scopes: ['write'], domains: ['agents'] });
      // Nothing left for the server to write beside the request: the token's audit row is stored.
      await server.server.memory.admin.flushAudit();
      const body = request(traces(3000, 1200, () => ({})));
      const { episodes } = server.server.memory;
      const { record } = episodes;
      const other = new Libsql(join(server.dir, 'memory.db'));
      other.exec('PRAGMA busy_timeout = 0');
      let calls = 0;
      // Another process takes the database once the first transaction is stored, until the second gives up.
      vi.spyOn(episodes, 'record').mockImplementation(async (records, options) => {
        calls += 1;
        if (calls !== 2) return record(records, options);
        await vi.waitFor(() => other.exec('BEGIN IMMEDIATE'), { timeout: 10_000, interval: 20 });
        try {
          return await record(records, options);
        } finally {
          other.exec('ROLLBACK');
        }
      });
      try {
        const answer = await post(body, { token, url: server.url });
        expect([answer.status, JSON.parse(answer.text).code]).toEqual([503, 14]);
        expect(storedRows(server.dir)).toEqual({ completed: 1000, steps: 1000 });
        // The exporter's retry sends the whole export again.
        expect(await post(body, { token, url: server.url })).toEqual(ok);
        expect(storedRows(server.dir)).toEqual({ completed: 1200, steps: 1200 });
      } finally {
        other.close();
      }
    });

    it('answers a refused later transaction as a partial success, the earlier ones stored', async () => {
      await using server = await roomy();
      const token = await server.token({ name: 'otel', scopes: ['write'] });
      // The last 100 traces name a domain longer than the store takes: the second transaction
      // (records 1001–1200, the 1,101st on) is refused.
      const tooLong = request(
        traces(6100, 100, () => ({})),
        'd'.repeat(129),
      ).resourceSpans;
      const body = request(traces(5000, 1100, () => ({})));
      body.resourceSpans.push(...tooLong);
      const answer = await post(body, { token, url: server.url });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({
        partialSuccess: {
          rejectedSpans: '400',
          errorMessage: expect.stringMatching(
            new RegExp(
              // The first refused trace by its id: the engine's `100.domain` was its place in one call.
              `^400 of 2400 spans, those of records 1001–1200 \\(written after the others\\), were not stored: Invalid trace export: trace ${hex(6100, 16)}: domain: Too big`,
              'u',
            ),
          ),
        },
      });
      expect(storedRows(server.dir)).toEqual({ completed: 1000, steps: 1000 });
    });

    it('names the trace the store refuses by its trace id, not by its place in the call', async () => {
      await using server = await roomy();
      const token = await server.token({ name: 'otel', scopes: ['write'] });
      const body = request([...traces(7000, 2, () => ({}))], 'd'.repeat(129));
      const answer = await post(body, { token, url: server.url });
      expect(answer.status).toBe(400);
      // It read `Invalid episodes: 0.domain: …; 1.domain: …`.
      expect(JSON.parse(answer.text).message).toBe(
        `Invalid trace export: trace ${hex(7000, 16)}: domain: Too big: expected string to have <=128 characters; ` +
          `trace ${hex(7001, 16)}: domain: Too big: expected string to have <=128 characters`,
      );
      expect(storedRows(server.dir)).toEqual({ completed: 0, steps: 0 });
    });

    it('refuses more than 10,000 spans in one request with 413, which exporters do not retry', async () => {
      await using server = await roomy();
      const token = await server.token({ name: 'otel', scopes: ['write'], domains: ['agents'] });
      const spans = Array.from({ length: 10_001 }, (_, i) => tool(7000, i + 2, 'grep'));
      const answer = await post(request(spans), { token, url: server.url });
      expect([answer.status, JSON.parse(answer.text)]).toEqual([
        413,
        {
          code: 8,
          message:
            'The export has 10001 spans, more than the 10000 this server takes in one request: send smaller batches.',
        },
      ]);
      // Counted before they are validated: 2.6 million empty spans were each validated first
      // (39 s of the serving thread, then a 500).
      const empty = await post(request(Array.from({ length: 200_000 }, () => ({}))), {
        token,
        url: server.url,
      });
      expect([empty.status, JSON.parse(empty.text).message]).toEqual([
        413,
        'The export has 200000 spans, more than the 10000 this server takes in one request: send smaller batches.',
      ]);
      expect(storedRows(server.dir)).toEqual({ completed: 0, steps: 0 });
    });
  });

  it('stores a span that comes twice in one export once', async () => {
    // As a collector sends it that merges a retried batch with new ones.
    expect(await post(request([span(84, 1), tool(84, 2, 'grep'), tool(84, 2, 'grep')]))).toEqual(ok);
    expect((await stored(84))?.steps.map((step) => step.action)).toEqual(['grep']);
  });

  it('reads span times written as JSON numbers, as proto3 JSON allows for 64-bit integers', async () => {
    // Past 2^53, as every time in nanoseconds since 1970 is.
    const times = {
      startTimeUnixNano: 1_700_000_000_000_000_000,
      endTimeUnixNano: 1_700_000_001_000_000_000,
    };
    expect(await post(request([span(85, 1, times)]))).toEqual(ok);
    const episode = await stored(85);
    expect([episode?.createdAt, episode?.completedAt]).toEqual([
      '2023-11-14T22:13:20.000Z',
      '2023-11-14T22:13:21.000Z',
    ]);
    const fraction = await post(request([span(86, 1, { startTimeUnixNano: 1.5 })]));
    expect([fraction.status, JSON.parse(fraction.text).message]).toEqual([
      400,
      expect.stringMatching(/spans\.0\.startTimeUnixNano/u),
    ]);
  });

  it('answers 503 UNAVAILABLE, which exporters retry, while another writer holds the database', async () => {
    const logged: string[] = [];
    await using busy = await startTestServer({
      log: (line) => logged.push(line),
      memory: { busyTimeoutMs: 200 },
    });
    const token = await busy.token({ name: 'otel', scopes: ['write'], domains: ['agents'] });
    const body = request([span(87, 1), tool(87, 2, 'grep')]);
    const other = new Libsql(join(busy.dir, 'memory.db'));
    let answer: { status: number; text: string };
    try {
      // The server may be mid-write (the token's audit row): try again once it has run on, since
      // waiting for the lock here (busy_timeout) would block the thread that is to release it.
      await vi.waitFor(() => other.exec('BEGIN IMMEDIATE'), { timeout: 10_000, interval: 20 });
      answer = await post(body, { token, url: busy.url });
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect([answer.status, JSON.parse(answer.text).code]).toEqual([503, 14]);
    expect(logged.filter((line) => /internal error/u.test(line))).toEqual([]);
    // The exporter's retry, once the lock is gone, stores the export.
    expect(await post(body, { token, url: busy.url })).toEqual(ok);
    expect((await stored(87, busy.server.memory))?.steps.map((step) => step.action)).toEqual(['grep']);
  });
});
