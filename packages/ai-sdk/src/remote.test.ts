import { createEpisodicClient, createRemoteMemory } from '@episodic/sdk';
import { startDroppingProxy, startTestServer, type TestServer } from '@episodic/server/testing';
import { generateText, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { heldFetch } from './__fixtures__/held-fetch.js';
import { memoryText, scriptedModel } from './__fixtures__/scripted-model.js';
import { withMemory } from './with-memory.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('records a run on a server through the SDK, and recalls it in the next run', async () => {
  const token = await server.token({ name: 'agent', scopes: ['read', 'write'], domains: ['shop'] });
  const memory = createRemoteMemory({ url: server.url, token });
  const tools = {
    readLogs: tool({
      inputSchema: z.object({ service: z.string() }),
      execute: async ({ service }) => `${service}: ECONNRESET from the payment gateway`,
    }),
  };
  const first = scriptedModel([
    { tools: [['readLogs', { service: 'checkout' }]] },
    { text: 'retry the gateway' },
  ]);
  const settings = withMemory({ memory, domain: 'shop', taskType: 'debugging' });
  await generateText({
    ...settings,
    model: first.model,
    tools,
    stopWhen: stepCountIs(3),
    prompt: 'Checkout payments fail with ECONNRESET',
  });
  const recorded = await settings.episode();
  const episode = await memory.episodes.get(recorded?.id ?? '');
  expect(episode?.status).toBe('completed');
  expect(episode?.steps.map((step) => [step.action, step.result, step.metadata])).toEqual([
    [
      'readLogs',
      'checkout: ECONNRESET from the payment gateway',
      { parameters: { service: 'checkout' }, toolCallId: 'call-1-0' },
    ],
  ]);

  const second = scriptedModel([{ text: 'same as last time' }]);
  await generateText({
    ...withMemory({ memory, domain: 'shop', taskType: 'debugging' }),
    model: second.model,
    prompt: 'Payments fail again with ECONNRESET',
  });
  // The past episode with its step, read through the domain-scoped token.
  expect(memoryText(second.prompts[0] ?? [])).toContain(
    '] Checkout payments fail with ECONNRESET (why: same words in its task)\n' +
      '  1. ✓ readLogs {"service":"checkout"} → checkout: ECONNRESET from the payment gateway',
  );
});

it('takes the full client from createEpisodicClient() too', async () => {
  const token = await server.token({ name: 'client', scopes: ['read', 'write'], domains: ['support'] });
  const client = createEpisodicClient({ url: server.url, token });
  const { model } = scriptedModel([{ tools: [['readLogs', { service: 'mail' }]] }, { text: 'ok' }]);
  const settings = withMemory({ client, domain: 'support', taskType: 'debugging' });
  await generateText({
    ...settings,
    model,
    tools: {
      readLogs: tool({ inputSchema: z.object({ service: z.string() }), execute: async () => 'quota' }),
    },
    stopWhen: stepCountIs(3),
    prompt: 'Mail is not sent',
  });
  const episode = await client.episodes.get.query({ episodeId: (await settings.episode())?.id ?? '' });
  expect([episode.status, episode.context, episode.steps.map((step) => step.action)]).toEqual([
    'completed',
    'Mail is not sent',
    ['readLogs'],
  ]);

  const next = scriptedModel([{ text: 'quota again' }]);
  await generateText({
    ...withMemory({ client, domain: 'support', taskType: 'debugging' }),
    model: next.model,
    prompt: 'Mail is not sent again',
  });
  expect(memoryText(next.prompts[0] ?? [])).toContain('] Mail is not sent (why:');
  expect(memoryText(next.prompts[0] ?? [])).toContain('  1. ✓ readLogs {"service":"mail"} → quota');
});

it('keeps the steps when a kept-alive connection closes under their write', async () => {
  const token = await server.token({ name: 'replay', scopes: ['read', 'write'], domains: ['ops'] });
  const proxy = await startDroppingProxy(server.url);
  proxy.refuseNext('episodes.logSteps');
  try {
    const memory = createRemoteMemory({ url: proxy.url, token });
    const errors: unknown[] = [];
    const { model } = scriptedModel([{ tools: [['readLogs', { service: 'queue' }]] }, { text: 'ok' }]);
    const settings = withMemory({
      memory,
      domain: 'ops',
      taskType: 'debugging',
      onMemoryError: (error) => errors.push(error),
    });
    await generateText({
      ...settings,
      model,
      tools: {
        readLogs: tool({ inputSchema: z.object({ service: z.string() }), execute: async () => 'backlog' }),
      },
      stopWhen: stepCountIs(3),
      prompt: 'The queue is backing up',
    });
    const recorded = await settings.episode();
    expect(proxy.refused).toHaveLength(1);
    expect(errors.map(String)).toEqual([]);
    // The SDK replays a step write whose connection failed before any answer, when its steps
    // carry ids (stored once however often they are sent).
    const episode = await memory.episodes.get(recorded?.id ?? '');
    expect([episode?.status, episode?.steps.map((step) => [step.action, step.result])]).toEqual([
      'completed',
      [['readLogs', 'backlog']],
    ]);
  } finally {
    await proxy.close();
  }
});

it.each([
  ['never reaches the server', 'refuse'],
  ['is done but its answer is lost', 'drop'],
] as const)('completes the episode when the outcome write %s', async (_, mode) => {
  const token = await server.token({ name: `outcome-${mode}`, scopes: ['read', 'write'], domains: ['ops'] });
  const proxy = await startDroppingProxy(server.url);
  if (mode === 'refuse') proxy.refuseNext('episodes.complete');
  else proxy.dropNext('episodes.complete');
  try {
    const memory = createRemoteMemory({ url: proxy.url, token });
    const errors: unknown[] = [];
    const { model } = scriptedModel([{ text: 'the disk is full' }]);
    const settings = withMemory({
      memory,
      domain: 'ops',
      taskType: 'debugging',
      onMemoryError: (error) => errors.push(error),
    });
    await generateText({ ...settings, model, prompt: 'Writes fail on the database host' });
    const recorded = await settings.episode();
    expect([proxy.refused.length + proxy.dropped.length, errors.map(String)]).toEqual([1, []]);
    expect((await memory.episodes.get(recorded?.id ?? ''))?.status).toBe('completed');
  } finally {
    await proxy.close();
  }
});

it.each([
  ['after the run', 'createRemoteMemory'],
  ['during the run', 'createEpisodicClient'],
] as const)('archives the episode of a start that lands %s, too late for it (%s)', async (when, sdk) => {
  const domain = `late-start-${sdk.toLowerCase()}`;
  const token = await server.token({ name: domain, scopes: ['read', 'write'], domains: [domain] });
  const held = heldFetch('episodes.start');
  const options = { url: server.url, token, fetch: held.fetch };
  const memory =
    sdk === 'createRemoteMemory'
      ? { memory: createRemoteMemory(options) }
      : { client: createEpisodicClient(options) };
  const errors: unknown[] = [];
  const { model, prompts } = scriptedModel([
    { tools: [['readLogs', { service: 'billing' }]] },
    { text: 'restart the worker' },
  ]);
  const settings = withMemory({
    ...memory,
    domain,
    taskType: 'debugging',
    memoryTimeoutMs: 1000,
    onMemoryError: (error) => errors.push(error),
  });
  const readLogs = tool({
    inputSchema: z.object({ service: z.string() }),
    execute: async () => {
      // The run gave up on the start at its first step; the start lands before the run ends.
      if (when === 'during the run') await held.release();
      return 'queue timeout';
    },
  });
  const { text } = await generateText({
    ...settings,
    model,
    tools: { readLogs },
    stopWhen: stepCountIs(3),
    prompt: 'Invoices are not sent',
  });
  expect([text, prompts.length]).toEqual(['restart the worker', 2]);
  expect(await settings.episode()).toBeNull();
  await held.release();

  // One episode, ended once its start landed: archived, with no outcome and none of the run's steps
  // (the run went on without memory), not left active and not completed as if it had been recorded.
  const reader = createRemoteMemory({ url: server.url, token });
  const ended = await vi.waitFor(
    async () => {
      const { items } = await reader.episodes.list({ domain });
      expect(items.map((item) => [item.context, item.status, item.successRate])).toEqual([
        ['Invoices are not sent', 'archived', null],
      ]);
      return items[0];
    },
    { timeout: 20_000, interval: 50 },
  );
  expect((await reader.episodes.get(ended?.id ?? ''))?.steps).toEqual([]);
  // Only the start's wait was reported (the look-up may have been slow too): the archive did not fail.
  expect(new Set(errors.map(String))).toEqual(new Set(['Error: memory did not answer within 1000 ms']));
});
