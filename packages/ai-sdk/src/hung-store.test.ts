import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRemoteMemory } from '@episodic/sdk';
import { generateText, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from './__fixtures__/scripted-model.js';
import { withMemory } from './with-memory.js';

/** A server that takes every request and never answers: a store stuck behind a lock, a dead link. */
let hung: Server;
const sockets = new Set<Socket>();
let url: string;
beforeAll(async () => {
  hung = createServer(() => undefined);
  hung.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hung.close(resolve));
});

it('runs the model without memory when the store never answers', async () => {
  const errors: unknown[] = [];
  const { model, prompts } = scriptedModel([
    { tools: [['readLogs', { service: 'api' }]] },
    { text: 'restarted' },
  ]);
  const settings = withMemory({
    memory: createRemoteMemory({ url, token: 'ep_unused' }),
    domain: 'ops',
    taskType: 'debugging',
    memoryTimeoutMs: 300,
    onMemoryError: (error) => errors.push(error),
  });
  const { text } = await generateText({
    ...settings,
    model,
    tools: { readLogs: tool({ inputSchema: z.object({ service: z.string() }), execute: async () => 'OOM' }) },
    stopWhen: stepCountIs(3),
    prompt: 'The API pods keep restarting',
  });
  expect([text, prompts.length]).toEqual(['restarted', 2]);
  expect(await settings.episode()).toBeNull();
  // The episode's start and the look-up, made in parallel, each report the store silent.
  expect(new Set(errors.map(String))).toEqual(new Set(['Error: memory did not answer within 300 ms']));
}, 20_000);
