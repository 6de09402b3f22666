import type { Memory } from '@episodic/core';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from './__fixtures__/scripted-model.js';
import { tempMemoryPerFile } from './__fixtures__/temp-memory.js';
import { withMemory } from './with-memory.js';

// The caller's own hooks under the names withMemory's settings use, spread after them: the
// usual way to add a callback, and one that puts the caller's hook in place of ours.

let memory: Memory;
tempMemoryPerFile('episodic-ai-sdk-hooks-', (opened) => {
  memory = opened;
});

const tools = {
  lookup: tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => `found ${q}` }),
};
const twoSteps = () => scriptedModel([{ tools: [['lookup', { q: 'cart' }]] }, { text: 'done' }]).model;

function recorded(domain: string) {
  const errors: unknown[] = [];
  const settings = withMemory({
    memory,
    domain,
    taskType: 'debugging',
    onMemoryError: (e) => errors.push(e),
  });
  const stored = async () => memory.episodes.get((await settings.episode())?.id ?? '');
  return { settings, errors, stored };
}

describe('a hook of the caller’s own in place of ours', () => {
  it('onFinish: the run is archived, not left active, and the caller is told to chain ours', async () => {
    const { settings, errors, stored } = recorded('hooks');
    let mine = 0;
    await generateText({
      ...settings,
      model: twoSteps(),
      tools,
      stopWhen: stepCountIs(3),
      prompt: 'Own onFinish',
      onFinish: () => {
        mine += 1;
      },
    });
    expect(mine).toBe(1);
    expect((await settings.episode())?.status).toBe('archived');
    expect((await stored())?.status).toBe('archived');
    expect(errors.map(String)).toEqual([expect.stringMatching(/an onFinish of yours replaced ours/u)]);
    expect([(errors[0] as Error).name, (errors[0] as { code?: string }).code]).toEqual([
      'RecordingError',
      'NO_OUTCOME',
    ]);
  });

  it('onStepFinish: the tool calls are still recorded, from onFinish, and it is reported once', async () => {
    const { settings, errors, stored } = recorded('hooks');
    const { model } = scriptedModel([
      { tools: [['lookup', { q: 'a' }]] },
      { tools: [['lookup', { q: 'b' }]] },
      { text: 'done' },
    ]);
    await generateText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(4),
      prompt: 'Own onStepFinish',
      onStepFinish: () => undefined,
    });
    const episode = await stored();
    expect([episode?.status, episode?.steps.map((step) => step.result)]).toEqual([
      'completed',
      ['found a', 'found b'],
    ]);
    expect(errors.map(String)).toEqual([expect.stringMatching(/an onStepFinish of yours replaced ours/u)]);
  });

  it('prepareStep that does not call ours: nothing is recorded, and that is reported', async () => {
    const { settings, errors } = recorded('hooks');
    await generateText({
      ...settings,
      model: twoSteps(),
      tools,
      stopWhen: stepCountIs(3),
      prompt: 'Own prepareStep',
      prepareStep: () => undefined,
    });
    expect(await settings.episode()).toBeNull();
    expect(errors.map(String)).toEqual([expect.stringMatching(/a prepareStep of yours replaced ours/u)]);
  });

  it('onError: a stream that reports an error still fails the run', async () => {
    const { settings, stored } = recorded('hooks');
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: convertArrayToReadableStream([
          { type: 'stream-start' as const, warnings: [] },
          { type: 'error' as const, error: new Error('overloaded mid-stream') },
          {
            type: 'finish' as const,
            finishReason: { unified: 'error' as const, raw: undefined },
            usage: {
              inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
              outputTokens: { total: 0, text: 0, reasoning: undefined },
            },
          },
        ]),
      }),
    });
    const seen: unknown[] = [];
    const result = streamText({
      ...settings,
      model,
      prompt: 'Own onError',
      onError: ({ error }) => {
        seen.push(error);
      },
    });
    await result.consumeStream();
    expect(seen.map(String)).toEqual(['Error: overloaded mid-stream']);
    expect((await stored())?.status).toBe('failed');
  });

  it('onAbort: an aborted stream still fails the run (the model call watches the signal)', async () => {
    const { settings, stored } = recorded('hooks');
    const controller = new AbortController();
    const result = streamText({
      ...settings,
      model: twoSteps(),
      tools,
      stopWhen: stepCountIs(3),
      abortSignal: controller.signal,
      prompt: 'Own onAbort',
      onAbort: () => undefined,
    });
    for await (const part of result.fullStream) if (part.type === 'tool-call') controller.abort();
    expect((await stored())?.status).toBe('failed');
  });
});

describe('hooks of the caller’s own that call ours, as the README shows', () => {
  it('run alongside ours, and the run is recorded whole', async () => {
    const { settings, errors, stored } = recorded('chained');
    const mine: string[] = [];
    await generateText({
      ...settings,
      model: twoSteps(),
      tools,
      stopWhen: stepCountIs(3),
      prompt: 'Chained hooks',
      prepareStep: async (options) => {
        mine.push(`prepareStep ${options.stepNumber}`);
        return { ...(await settings.prepareStep(options)), activeTools: ['lookup'] };
      },
      experimental_onToolCallFinish: (event) => {
        settings.experimental_onToolCallFinish(event);
        mine.push('onToolCallFinish');
      },
      onStepFinish: async (step) => {
        await settings.onStepFinish(step);
        mine.push('onStepFinish');
      },
      onFinish: async (event) => {
        await settings.onFinish(event);
        mine.push('onFinish');
      },
    });
    expect(mine).toEqual([
      'prepareStep 0',
      'onToolCallFinish',
      'onStepFinish',
      'prepareStep 1',
      'onStepFinish',
      'onFinish',
    ]);
    const episode = await stored();
    expect([episode?.status, episode?.steps.map((step) => [step.result, typeof step.durationMs])]).toEqual([
      'completed',
      [['found cart', 'number']],
    ]);
    expect(errors).toEqual([]);
  });

  it('given a model id string, ours leaves the model unwrapped, and its run is not taken as still under way', async () => {
    const { settings, errors, stored } = recorded('chained');
    // The SDK resolves a gateway id before prepareStep; a caller's own may pass one on to ours.
    const withModelId = async (options: Parameters<typeof settings.prepareStep>[0]) =>
      settings.prepareStep({ ...options, model: 'openai/gpt-4.1' });
    const { model, prompts } = scriptedModel([{ tools: [['lookup', { q: 'x' }]] }, { text: 'done' }]);
    await generateText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(3),
      prompt: 'Model id',
      prepareStep: withModelId,
      // No outcome reaches us: the next run must settle this one as ended, not as overlapping.
      onFinish: () => undefined,
    });
    expect((await memory.episodes.list({ domain: 'chained', status: 'active' })).items).toHaveLength(1);
    expect(prompts).toHaveLength(2);
    await generateText({ ...settings, model: twoSteps(), tools, stopWhen: stepCountIs(3), prompt: 'Next' });
    expect((await stored())?.status).toBe('completed');
    expect(errors.map(String)).toEqual([
      expect.stringMatching(/the previous run of these settings ended without an outcome/u),
    ]);
  });
});
