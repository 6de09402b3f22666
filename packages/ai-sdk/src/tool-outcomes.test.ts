import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import { generateText, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from './__fixtures__/scripted-model.js';
import { withMemory } from './with-memory.js';

let dir: string;
let memory: Memory;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'episodic-ai-sdk-outcomes-'));
  memory = await openMemory({ url: `file:${join(dir, 'memory.db')}` });
});
afterAll(async () => {
  await memory.close();
  rmSync(dir, { recursive: true, force: true });
});

it('stores no result for a tool that returns nothing, rather than the word "undefined"', async () => {
  const { model } = scriptedModel([{ tools: [['clearCache', { key: 'cart' }]] }, { text: 'cleared' }]);
  const settings = withMemory({ memory, domain: 'shop', taskType: 'debugging' });
  await generateText({
    ...settings,
    model,
    tools: {
      clearCache: tool({
        inputSchema: z.object({ key: z.string() }),
        execute: async (): Promise<void> => {},
      }),
    },
    stopWhen: stepCountIs(3),
    prompt: 'Stale cart totals after a price change',
  });
  const episode = await memory.episodes.get((await settings.episode())?.id ?? '');
  expect(episode?.steps.map((step) => [step.action, step.result, step.success])).toEqual([
    ['clearCache', null, true],
  ]);
});
