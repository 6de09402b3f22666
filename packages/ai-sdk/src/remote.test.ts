import { createEpisodicClient, createRemoteMemory } from '@episodic/sdk';
import { startTestServer, type TestServer } from '@episodic/server/testing';
import { generateText, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel, systemTexts } from './__fixtures__/scripted-model.js';
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
  expect(systemTexts(second.prompts[0] ?? []).join('\n')).toContain(`episode ${recorded?.id}`);
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
});
