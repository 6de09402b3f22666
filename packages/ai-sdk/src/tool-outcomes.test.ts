import type { Memory } from '@episodic/core';
import { generateText, stepCountIs, tool } from 'ai';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from './__fixtures__/scripted-model.js';
import { tempMemoryPerFile } from './__fixtures__/temp-memory.js';
import { withMemory } from './with-memory.js';

let memory: Memory;
tempMemoryPerFile('episodic-ai-sdk-outcomes-', (opened) => {
  memory = opened;
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

it('stores a result JSON cannot take as it is (a BigInt, a cycle) readably, not as "[object Object]"', async () => {
  const { model } = scriptedModel([
    { tools: [['readRow', { table: 'orders' }]] },
    { tools: [['parseTree', { file: 'cart.ts' }]] },
    { text: 'read' },
  ]);
  const node: { name: string; parent: unknown; children: unknown[] } = {
    name: 'cart',
    parent: null,
    children: [],
  };
  node.children.push({ name: 'total', parent: node, children: [] });
  const settings = withMemory({ memory, domain: 'shop', taskType: 'debugging' });
  await generateText({
    ...settings,
    model,
    tools: {
      readRow: tool({
        inputSchema: z.object({ table: z.string() }),
        execute: async () => ({ id: 12_345_678_901_234_567_890n, total: null }),
      }),
      parseTree: tool({ inputSchema: z.object({ file: z.string() }), execute: async () => node }),
    },
    stopWhen: stepCountIs(4),
    prompt: 'Order totals come back empty',
  });
  const episode = await memory.episodes.get((await settings.episode())?.id ?? '');
  expect(episode?.steps.map((step) => [step.action, step.result, step.success])).toEqual([
    ['readRow', '{"id":"12345678901234567890","total":null}', true],
    [
      'parseTree',
      '{"name":"cart","parent":null,"children":[{"name":"total","parent":"[Circular]","children":[]}]}',
      true,
    ],
  ]);
});

it('stores arguments holding a lone surrogate with U+FFFD, and the calls beside them', async () => {
  // The store refuses a lone surrogate: the whole batch, both calls, was lost.
  const { model } = scriptedModel([
    {
      tools: [
        ['searchDocs', { query: 'x\ud800y' }],
        ['searchDocs', { query: 'plain' }],
      ],
    },
    { text: 'searched' },
  ]);
  const settings = withMemory({ memory, domain: 'shop', taskType: 'debugging' });
  await generateText({
    ...settings,
    model,
    tools: {
      searchDocs: tool({ inputSchema: z.object({ query: z.string() }), execute: async () => 'found' }),
    },
    stopWhen: stepCountIs(3),
    prompt: 'A query cut inside an emoji',
  });
  const episode = await memory.episodes.get((await settings.episode())?.id ?? '');
  expect(episode?.steps.map((step) => step.metadata?.parameters)).toEqual([
    { query: 'x\uFFFDy' },
    { query: 'plain' },
  ]);
});
