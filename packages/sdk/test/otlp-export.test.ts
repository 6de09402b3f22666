import { startTestServer, type TestServer } from '@episodic/server/testing';
import {
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteMemory, type RemoteMemory } from '../src/index.js';

let server: TestServer;
let token: string;
let memory: RemoteMemory;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.token({ name: 'otel', scopes: ['read', 'write'], domains: ['agents'] });
  memory = createRemoteMemory({ url: server.url, token });
});
afterAll(() => server.close());

/** A tracer whose finished spans are kept until `exportWith` sends them, so a test chooses each batch. */
function tracing(resource: Record<string, string>) {
  const finished = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test-agent', ...resource }),
    spanProcessors: [new SimpleSpanProcessor(finished)],
  });
  const tracer = provider.getTracer('episodic-test');
  return {
    root: (name: string, attributes: Record<string, string | boolean> = {}, parent?: Context) =>
      tracer.startSpan(name, { attributes }, parent),
    child(parent: Span, name: string, attributes: Record<string, string>): Span {
      const parentContext: Context = trace.setSpan(context.active(), parent);
      return tracer.startSpan(name, { attributes }, parentContext);
    },
    /** Sends the spans finished since the last call; resolves with the exporter's result code. */
    async exportWith(exporter: SpanExporter): Promise<number> {
      const spans: ReadableSpan[] = finished.getFinishedSpans();
      finished.reset();
      return new Promise((resolve) => exporter.export(spans, (result) => resolve(result.code)));
    },
  };
}

const url = () => `${server.url}/v1/traces`;
const headers = () => ({ authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function episodeOf(traceId: string) {
  const page = await memory.episodes.list({ domain: 'agents', limit: 100 });
  const found = page.items.find(
    (item) => (item.metadata as { traceId?: string } | null)?.traceId === traceId,
  );
  return found === undefined ? null : memory.episodes.get(found.id);
}

describe('OTLP traces in, episodes out', () => {
  it('turns a trace exported as JSON into an episode: root span as the task, tool spans as steps', async () => {
    const t = tracing({ 'episodic.domain': 'agents', 'episodic.task_type': 'debugging' });
    const root = t.root('checkout-agent', { 'episodic.context': 'Fix the failing checkout test' });
    const tests = t.child(root, 'execute_tool run_tests', {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'run_tests',
      'gen_ai.tool.call.arguments': '{"file":"checkout.test.ts"}',
      'gen_ai.tool.call.result': '1 failed: TypeError',
    });
    await sleep(20);
    tests.end();
    t.child(root, 'chat gpt-4.1', { 'gen_ai.operation.name': 'chat' }).end();
    const edit = t.child(root, 'execute_tool edit_file', {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'edit_file',
      'gen_ai.tool.call.arguments': '{"path":"src/cart.ts"}',
    });
    edit.recordException(new TypeError('file is read-only'));
    edit.setStatus({ code: SpanStatusCode.ERROR });
    edit.end();
    const retry = t.child(root, 'ai.toolCall', {
      'ai.toolCall.name': 'edit_file',
      'ai.toolCall.args': '{"path":"src/cart.ts","force":true}',
      'ai.toolCall.result': '"saved"',
    });
    retry.end();
    root.end();

    expect(await t.exportWith(new JsonExporter({ url: url(), headers: headers() }))).toBe(0);
    const episode = await episodeOf(root.spanContext().traceId);
    expect(episode).toMatchObject({
      status: 'completed',
      domain: 'agents',
      taskType: 'debugging',
      context: 'Fix the failing checkout test',
    });
    expect(episode?.steps.map((step) => [step.stepNumber, step.action, step.success, step.result])).toEqual([
      [1, 'run_tests', true, '1 failed: TypeError'],
      [2, 'edit_file', false, 'TypeError: file is read-only'],
      // The AI SDK writes a tool's output as JSON: text comes back unquoted.
      [3, 'edit_file', true, 'saved'],
    ]);
    expect(episode?.steps.map((step) => (step.metadata as { parameters: unknown }).parameters)).toEqual([
      { file: 'checkout.test.ts' },
      { path: 'src/cart.ts' },
      { path: 'src/cart.ts', force: true },
    ]);
    expect(episode?.steps[0]?.durationMs).toBeGreaterThanOrEqual(15);
  });

  it('reads protobuf exports, and a root span with an error status fails the episode', async () => {
    const t = tracing({ 'episodic.domain': 'agents' });
    const root = t.root('deploy-agent');
    t.child(root, 'execute_tool deploy', {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'deploy',
      'gen_ai.tool.call.arguments': '{"env":"prod"}',
    }).end();
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'deployment rolled back' });
    root.end();

    expect(await t.exportWith(new ProtobufExporter({ url: url(), headers: headers() }))).toBe(0);
    const episode = await episodeOf(root.spanContext().traceId);
    expect([episode?.status, episode?.taskType, episode?.context]).toEqual([
      'failed',
      'analysis',
      'deploy-agent',
    ]);
    expect(episode?.steps.map((step) => [step.action, step.success])).toEqual([['deploy', true]]);
  });

  it('keeps the spans of a trace exported before its root, and completes the episode when the root arrives', async () => {
    const t = tracing({ 'episodic.domain': 'agents' });
    const exporter = new ProtobufExporter({ url: url(), headers: headers() });
    const root = t.root('long-agent');
    t.child(root, 'execute_tool search', {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'search',
    }).end();
    expect(await t.exportWith(exporter)).toBe(0);
    const early = await episodeOf(root.spanContext().traceId);
    expect([early?.status, early?.steps.map((step) => step.action)]).toEqual(['active', ['search']]);

    t.child(root, 'execute_tool answer', {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'answer',
    }).end();
    root.end();
    expect(await t.exportWith(exporter)).toBe(0);
    const done = await episodeOf(root.spanContext().traceId);
    expect([done?.id, done?.status, done?.context]).toEqual([early?.id, 'completed', 'long-agent']);
    expect(done?.steps.map((step) => step.action)).toEqual(['search', 'answer']);
  });

  it("takes an agent span whose parent is in another process, or one marked episodic.root, as the trace's root", async () => {
    // An agent run inside an HTTP request that carried a trace context: its parent is never exported here.
    const incoming = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'a1'.repeat(16),
      spanId: 'b2'.repeat(8),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    for (const Exporter of [JsonExporter, ProtobufExporter]) {
      const t = tracing({ 'episodic.domain': 'agents' });
      const agent = t.root('invoke_agent checkout', {}, incoming);
      t.child(agent, 'execute_tool run_tests', {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'run_tests',
      }).end();
      agent.setStatus({ code: SpanStatusCode.ERROR, message: 'agent gave up' });
      agent.end();
      expect(await t.exportWith(new Exporter({ url: url(), headers: headers() }))).toBe(0);
      const episode = await episodeOf(agent.spanContext().traceId);
      expect([episode?.status, episode?.context], Exporter.name).toEqual(['failed', 'invoke_agent checkout']);
    }

    // An agent under a span of its service's own tracer (exported elsewhere), marked as the root.
    const service = tracing({ 'episodic.domain': 'elsewhere' });
    const request = service.root('POST /checkout');
    const t = tracing({ 'episodic.domain': 'agents' });
    const agent = t.root('checkout agent', { 'episodic.root': true }, trace.setSpan(ROOT_CONTEXT, request));
    agent.end();
    request.end();
    expect(await t.exportWith(new ProtobufExporter({ url: url(), headers: headers() }))).toBe(0);
    expect((await episodeOf(agent.spanContext().traceId))?.status).toBe('completed');
  });

  it("stores a trace naming a task type the store does not take under the default, without refusing the export's other traces", async () => {
    const t = tracing({ 'episodic.domain': 'agents' });
    const review = t.root('review-agent', { 'episodic.task_type': 'Code Review' });
    review.end();
    const fix = t.root('fix-agent', { 'episodic.task_type': 'debugging' });
    fix.end();
    expect(await t.exportWith(new ProtobufExporter({ url: url(), headers: headers() }))).toBe(0);
    const stored = await episodeOf(review.spanContext().traceId);
    expect([stored?.taskType, (stored?.metadata as { taskType?: string } | null)?.taskType]).toEqual([
      'analysis',
      'Code Review',
    ]);
    expect((await episodeOf(fix.spanContext().traceId))?.taskType).toBe('debugging');
  });

  it("takes an AI SDK chat run's task from its latest user message, not its system prompt", async () => {
    const t = tracing({ 'episodic.domain': 'agents' });
    const prompt = JSON.stringify({
      system: 'You are a careful coding agent.',
      messages: [
        { role: 'user', content: 'Here is our build log: webpack compiled…' },
        { role: 'assistant', content: 'Thanks, what should I do?' },
        { role: 'user', content: [{ type: 'text', text: 'The checkout total is undefined: fix it' }] },
      ],
    });
    const run = t.root('ai.generateText', { 'ai.prompt': prompt });
    run.end();
    expect(await t.exportWith(new JsonExporter({ url: url(), headers: headers() }))).toBe(0);
    expect((await episodeOf(run.spanContext().traceId))?.context).toBe(
      'The checkout total is undefined: fix it',
    );
  });

  it('refuses a trace for a domain outside the token, and stores nothing', async () => {
    const t = tracing({ 'episodic.domain': 'billing' });
    const root = t.root('billing-agent');
    root.end();
    expect(await t.exportWith(new JsonExporter({ url: url(), headers: headers() }))).toBe(1);
    const admin = createRemoteMemory({ url: server.url, token: server.adminToken });
    expect((await admin.episodes.list({ domain: 'billing' })).items).toEqual([]);
  });
});
