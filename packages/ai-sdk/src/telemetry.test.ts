import { createRemoteMemory } from '@episodic/sdk';
import { startTestServer, type TestServer } from '@episodic/server/testing';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from './__fixtures__/scripted-model.js';

// The other way in, without `withMemory`: the AI SDK's own telemetry, exported to the server's OTLP endpoint.
let server: TestServer;
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(async () => {
  server = await startTestServer();
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await server.close();
});

it("turns the AI SDK's telemetry spans, exported span by span, into one episode", async () => {
  const token = await server.token({ name: 'otel', scopes: ['read', 'write'], domains: ['shop'] });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'agent', 'episodic.domain': 'shop' }),
    // One export per span as it ends: the tool spans reach the server before their root.
    spanProcessors: [
      new SimpleSpanProcessor(
        new OTLPTraceExporter({
          url: `${server.url}/v1/traces`,
          headers: { authorization: `Bearer ${token}` },
        }),
      ),
    ],
  });
  const { model } = scriptedModel([
    { tools: [['lookupOrder', { orderId: 'A-17' }]] },
    { tools: [['refund', { orderId: 'A-17' }]] },
    { text: 'The refund failed: the card expired.' },
  ]);
  await generateText({
    model,
    tools: {
      lookupOrder: tool({
        inputSchema: z.object({ orderId: z.string() }),
        execute: async ({ orderId }) => ({ orderId, status: 'paid' }),
      }),
      refund: tool({
        inputSchema: z.object({ orderId: z.string() }),
        execute: async (): Promise<string> => {
          throw new Error('card expired');
        },
      }),
    },
    stopWhen: stepCountIs(4),
    prompt: 'Refund order A-17',
    experimental_telemetry: { isEnabled: true, tracer: provider.getTracer('ai') },
  });
  await provider.forceFlush();

  const memory = createRemoteMemory({ url: server.url, token });
  const [listed] = (await memory.episodes.list({ domain: 'shop' })).items;
  const episode = await memory.episodes.get(listed?.id ?? '');
  expect([episode?.status, episode?.context]).toEqual(['completed', 'Refund order A-17']);
  expect(
    episode?.steps.map((step) => [
      step.action,
      (step.metadata as { parameters: unknown }).parameters,
      step.success,
    ]),
  ).toEqual([
    ['lookupOrder', { orderId: 'A-17' }, true],
    ['refund', { orderId: 'A-17' }, false],
  ]);
  expect(episode?.steps.map((step) => step.result)).toEqual([
    '{"orderId":"A-17","status":"paid"}',
    'card expired',
  ]);
});
