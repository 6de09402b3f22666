import type { Memory } from '@episodic/core';
import { generateText, stepCountIs, streamText, ToolLoopAgent, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from './__fixtures__/scripted-model.js';
import { tempMemoryPerFile } from './__fixtures__/temp-memory.js';
import { withMemory } from './with-memory.js';

// Runs the AI SDK ends without onFinish, onError or onAbort: a stream its consumer stops reading
// (the SDK tees the stream per consumer, so the consumer's cancel never reaches the model's
// stream), and a run overlapped by the next run of the same settings.

let memory: Memory;
tempMemoryPerFile('episodic-ai-sdk-abandoned-', (opened) => {
  memory = opened;
});

const tools = {
  lookup: tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => `found ${q}` }),
};

/** A streamed run, a tool step then an answer, whose consumer reads the first words and goes. */
async function streamLeftUnread(settings: ReturnType<typeof withMemory>) {
  const { model, streamsRead } = scriptedModel([
    { tools: [['lookup', { q: 'cart' }]] },
    { text: 'the total is computed before the items are loaded' },
  ]);
  const result = streamText({
    ...settings,
    model,
    tools,
    stopWhen: stepCountIs(5),
    prompt: 'Why is the cart total undefined?',
  });
  for await (const text of result.textStream) if (text.length > 0) break;
  // The SDK still reads the model's answer to its end (into a buffer nobody reads).
  await streamsRead(2);
}

describe('a streamed run whose consumer stops reading', () => {
  it('is archived, and reported, once its episode is asked for', async () => {
    const errors: unknown[] = [];
    const settings = withMemory({
      memory,
      domain: 'cancel',
      taskType: 'debugging',
      onMemoryError: (error) => errors.push(error),
    });
    await streamLeftUnread(settings);
    const episode = await settings.episode();
    expect(episode?.status).toBe('archived');
    const stored = await memory.episodes.get(episode?.id ?? '');
    expect([stored?.status, stored?.steps.map((step) => step.result)]).toEqual(['archived', ['found cart']]);
    expect(errors.map(String)).toEqual([
      expect.stringMatching(
        /has no outcome .*a stream its consumer stopped reading: pass the request's abortSignal/u,
      ),
    ]);
  });

  it('is archived, and reported, when the next run of the same settings starts', async () => {
    const errors: unknown[] = [];
    const settings = withMemory({
      memory,
      domain: 'cancel-next',
      taskType: 'debugging',
      onMemoryError: (error) => errors.push(error),
    });
    await streamLeftUnread(settings);
    const { items: before } = await memory.episodes.list({ domain: 'cancel-next', status: 'active' });
    expect(before).toHaveLength(1);
    await generateText({ ...settings, model: scriptedModel([{ text: 'ok' }]).model, prompt: 'Next task' });
    expect((await settings.episode())?.status).toBe('completed');
    expect((await memory.episodes.get(before[0]?.id ?? ''))?.status).toBe('archived');
    expect(errors.map(String)).toEqual([
      expect.stringMatching(/the previous run of these settings ended without an outcome/u),
    ]);
  });

  it('is completed when the caller lets it run to its end (consumeStream), as the AI SDK advises', async () => {
    const settings = withMemory({ memory, domain: 'cancel', taskType: 'debugging' });
    const { model } = scriptedModel([{ tools: [['lookup', { q: 'cart' }]] }, { text: 'loaded late' }]);
    const result = streamText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(5),
      prompt: 'Cart total again',
    });
    const consumed = result.consumeStream();
    for await (const text of result.textStream) if (text.length > 0) break;
    await consumed;
    expect((await settings.episode())?.status).toBe('completed');
  });
});

describe('a run whose episode is asked for while it is under way', () => {
  it('answers active from a tool of the run, and changes nothing', async () => {
    const settings = withMemory({ memory, domain: 'asked', taskType: 'debugging' });
    const seen: unknown[] = [];
    const linkEpisode = tool({
      inputSchema: z.object({}),
      execute: async () => {
        seen.push(await settings.episode());
        return 'linked';
      },
    });
    const { model } = scriptedModel([{ tools: [['linkEpisode', {}]] }, { text: 'done' }]);
    const result = streamText({
      ...settings,
      model,
      tools: { linkEpisode },
      stopWhen: stepCountIs(3),
      prompt: 'Link it',
    });
    await result.consumeStream();
    const episode = await settings.episode();
    expect(seen).toEqual([{ id: episode?.id, status: 'active' }]);
    expect(episode?.status).toBe('completed');
  });
});

describe('overlapping runs of one settings object', () => {
  it('reports the overlap and archives both runs, whose steps cannot be told apart, rather than leave one open', async () => {
    const errors: unknown[] = [];
    // Run A's first tool call waits until run B has made its own: the runs overlap however
    // slowly the machine runs.
    let aWaits: () => void = () => undefined;
    const aWaiting = new Promise<void>((resolve) => (aWaits = resolve));
    let bCalled: () => void = () => undefined;
    const bCalledTool = new Promise<void>((resolve) => (bCalled = resolve));
    const work = tool({
      inputSchema: z.object({ run: z.string(), n: z.number() }),
      execute: async ({ run, n }) => {
        if (run === 'A') {
          aWaits();
          await bCalledTool;
        } else bCalled();
        return `${run}#${n}`;
      },
    });
    // One model serving both runs: it answers in the order the calls come.
    const { model } = scriptedModel([
      { tools: [['work', { run: 'A', n: 1 }]] },
      { tools: [['work', { run: 'B', n: 1 }]] },
      { text: 'A done' },
      { text: 'B done' },
    ]);
    const settings = withMemory({
      memory,
      domain: 'overlap',
      taskType: 'debugging',
      onMemoryError: (error) => errors.push(error),
    });
    const agent = new ToolLoopAgent({ ...settings, model, tools: { work }, stopWhen: stepCountIs(4) });
    const first = agent.generate({ prompt: 'task A' });
    await aWaiting;
    await Promise.all([first, agent.generate({ prompt: 'task B' })]);
    await settings.episode();
    expect(errors.map(String)).toEqual([
      expect.stringMatching(/a run started while the previous run of these settings is still under way/u),
    ]);
    const { items } = await memory.episodes.list({ domain: 'overlap' });
    expect(items.map((episode) => [episode.context, episode.status]).sort()).toEqual([
      ['task A', 'archived'],
      ['task B', 'archived'],
    ]);
  });
});
