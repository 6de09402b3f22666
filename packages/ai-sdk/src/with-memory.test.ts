import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import { APICallError, generateText, stepCountIs, streamText, ToolLoopAgent, tool } from 'ai';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { memoryText, scriptedModel, systemTexts } from './__fixtures__/scripted-model.js';
import { tempMemoryPerFile } from './__fixtures__/temp-memory.js';
import { withMemory } from './with-memory.js';

let memory: Memory;
let dir: string;
tempMemoryPerFile('episodic-ai-sdk-', (opened, folder) => {
  memory = opened;
  dir = folder;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A provider's "overloaded" answer, which the AI SDK retries; it asks for no wait, to keep the test short. */
const overloaded = () =>
  new APICallError({
    message: 'overloaded',
    url: 'https://api.example.test/v1/chat',
    requestBodyValues: {},
    statusCode: 529,
    responseHeaders: { 'retry-after-ms': '0' },
    isRetryable: true,
  });

const tools = {
  searchDocs: tool({
    description: 'Searches the docs',
    inputSchema: z.object({ query: z.string() }),
    execute: async ({ query }) => {
      await sleep(30);
      return { hits: [`${query}: call loadItems() before total()`] };
    },
  }),
  runTests: tool({
    description: 'Runs the tests',
    inputSchema: z.object({ file: z.string() }),
    execute: async ({ file }): Promise<string> => {
      throw new Error(`TypeError in ${file}: cannot read properties of undefined`);
    },
  }),
};

async function stored(settings: { episode: () => Promise<{ id: string } | null> }) {
  const episode = await settings.episode();
  expect(episode).not.toBeNull();
  return memory.episodes.get(episode?.id ?? '');
}

/** The store, but its look-up answers only once the run's episode is stored, as it may on a busy store. */
function searchAfterStart() {
  let started: () => void = () => undefined;
  const startedOnce = new Promise<void>((resolve) => (started = resolve));
  return {
    episodes: {
      ...memory.episodes,
      start: async (input: Parameters<Memory['episodes']['start']>[0]) => {
        const episode = await memory.episodes.start(input);
        started();
        return episode;
      },
    },
    search: {
      retrieve: async (input: Parameters<Memory['search']['retrieve']>[0]) => {
        await startedOnce;
        return memory.search.retrieve(input);
      },
    },
  };
}

describe('withMemory with generateText', () => {
  it('records each tool call as a step, with its arguments, result or error and duration', async () => {
    const { model } = scriptedModel([
      { tools: [['searchDocs', { query: 'checkout total' }]] },
      { tools: [['runTests', { file: 'checkout.test.ts' }]] },
      { text: 'The checkout test fails with a TypeError.' },
    ]);
    const settings = withMemory({ memory, domain: 'shop', taskType: 'debugging' });
    const result = await generateText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(5),
      prompt: 'Why does the checkout test fail?',
    });
    expect(result.text).toBe('The checkout test fails with a TypeError.');
    const episode = await stored(settings);
    expect(episode).toMatchObject({
      status: 'completed',
      domain: 'shop',
      taskType: 'debugging',
      context: 'Why does the checkout test fail?',
    });
    const steps = episode?.steps ?? [];
    expect(steps.map((step) => [step.stepNumber, step.action, step.success])).toEqual([
      [1, 'searchDocs', true],
      [2, 'runTests', false],
    ]);
    expect(steps[0]?.metadata).toMatchObject({ parameters: { query: 'checkout total' } });
    expect(JSON.parse(steps[0]?.result ?? '')).toEqual({
      hits: ['checkout total: call loadItems() before total()'],
    });
    expect(steps[0]?.durationMs).toBeGreaterThanOrEqual(25);
    expect(steps[1]?.result).toBe('TypeError in checkout.test.ts: cannot read properties of undefined');
    expect(steps[1]?.metadata).toMatchObject({ parameters: { file: 'checkout.test.ts' } });
  });

  it('shows the model relevant past episodes with their steps, as data just before the request, on every step', async () => {
    const past = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'billing',
      context: 'Invoice PDF export times out for large invoices',
    });
    await memory.episodes.logSteps(past.id, [
      { action: 'renderPdf', result: 'Error: render timed out after 30000 ms', success: false },
      { action: 'raise the renderer timeout', success: true },
    ]);
    await memory.episodes.complete(past.id, { status: 'completed' });

    const { model, prompts } = scriptedModel([{ tools: [['searchDocs', { query: 'pdf' }]] }, { text: 'ok' }]);
    await generateText({
      ...withMemory({ memory, domain: 'billing', taskType: 'debugging' }),
      model,
      tools,
      stopWhen: stepCountIs(3),
      system: 'You are a careful engineer.',
      prompt: 'The invoice PDF export times out',
    });
    for (const prompt of prompts) {
      // The caller's system message stays the only one: stored text gets no system authority.
      expect(systemTexts(prompt)).toEqual(['You are a careful engineer.']);
      expect(prompt.slice(1, 3).map((message) => message.role)).toEqual(['user', 'user']);
      expect(JSON.stringify(prompt[2]?.content)).toContain('The invoice PDF export times out');
      const recalled = memoryText(prompt);
      expect(prompt[1]?.content).toEqual([{ type: 'text', text: recalled }]);
      expect(recalled).toContain('] Invoice PDF export times out for large invoices (why: same words');
      expect(recalled).toContain(
        '  1. ✗ renderPdf → Error: render timed out after 30000 ms\n  2. ✓ raise the renderer timeout',
      );
      expect(recalled).not.toContain(past.id);
    }
  });

  it('still shows past episodes, without steps, when their steps cannot be read, and says so', async () => {
    const errors: unknown[] = [];
    const noSteps = {
      ...memory,
      episodes: {
        ...memory.episodes,
        steps: async () => {
          throw new Error('steps unavailable');
        },
      },
    };
    const { model, prompts } = scriptedModel([{ text: 'ok' }]);
    await generateText({
      ...withMemory({
        memory: noSteps,
        domain: 'billing',
        taskType: 'debugging',
        onMemoryError: (e) => errors.push(e),
      }),
      model,
      prompt: 'The invoice PDF export times out again',
    });
    const recalled = memoryText(prompts[0] ?? []) ?? '';
    expect(recalled).toContain('] Invoice PDF export times out for large invoices (why:');
    expect(recalled).not.toContain('renderPdf');
    expect(errors.map(String)).toEqual(['Error: steps unavailable']);
  });

  it('does not show the run its own episode, started while past ones are looked up', async () => {
    const slowSearch = searchAfterStart();
    const { model, prompts } = scriptedModel([{ text: 'ok' }]);
    const settings = withMemory({ memory: slowSearch, domain: 'own', taskType: 'debugging' });
    await generateText({ ...settings, model, prompt: 'Webhook signature check rejects valid events' });
    expect((await settings.episode())?.id).toBeDefined();
    expect(memoryText(prompts[0] ?? [])).toBeNull();
  });

  it('still shows as many past episodes as asked for when the run’s own episode is found first', async () => {
    const task = 'Refund webhook retries flood the payments queue';
    // Shares some of the task's words; the run's own episode, holding all of them, ranks above it.
    const past = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'payments',
      context: 'Refund webhook retries pile up',
    });
    await memory.episodes.complete(past.id, { status: 'completed' });
    const slowSearch = searchAfterStart();
    const { model, prompts } = scriptedModel([{ text: 'ok' }]);
    const settings = withMemory({
      memory: slowSearch,
      domain: 'payments',
      taskType: 'debugging',
      episodes: 1,
    });
    await generateText({ ...settings, model, prompt: task });
    const recalled = memoryText(prompts[0] ?? []);
    expect(recalled).toContain('] Refund webhook retries pile up (why:');
    expect(recalled).not.toContain(task);
  });

  it('keeps past experience within the token budget', async () => {
    const { model, prompts } = scriptedModel([{ text: 'ok' }]);
    await generateText({
      ...withMemory({ memory, domain: 'billing', taskType: 'debugging', maxMemoryTokens: 10 }),
      model,
      prompt: 'The invoice PDF export times out',
    });
    expect(memoryText(prompts[0] ?? [])).toBeNull();
  });

  it('fails the episode when the run is aborted during a tool call, keeping the steps before it', async () => {
    const controller = new AbortController();
    const abortingTools = {
      ...tools,
      deploy: tool({
        inputSchema: z.object({}),
        execute: async () => {
          controller.abort();
          await sleep(5);
          return 'deployed';
        },
      }),
    };
    const { model } = scriptedModel([
      { tools: [['searchDocs', { query: 'deploy' }]] },
      { tools: [['deploy', {}]] },
      { text: 'never' },
    ]);
    const settings = withMemory({ memory, domain: 'ops', taskType: 'debugging' });
    await expect(
      generateText({
        ...settings,
        model,
        tools: abortingTools,
        stopWhen: stepCountIs(5),
        abortSignal: controller.signal,
        prompt: 'Deploy the fix',
      }),
    ).rejects.toThrow();
    const episode = await stored(settings);
    expect(episode?.status).toBe('failed');
    expect(episode?.steps.map((step) => step.action)).toEqual(['searchDocs']);
  });

  it('leaves no listener on a long-lived signal once its runs are done', async () => {
    // A server's shutdown signal, shared by every run: each run's listener used to stay for ever.
    const shutdown = new AbortController();
    for (const task of ['Restart the worker', 'Rotate the logs', 'Flush the queue']) {
      const { model } = scriptedModel([{ tools: [['searchDocs', { query: task }]] }, { text: 'done' }]);
      const settings = withMemory({ memory, domain: 'ops', taskType: 'debugging' });
      await generateText({
        ...settings,
        model,
        tools,
        stopWhen: stepCountIs(3),
        abortSignal: shutdown.signal,
        prompt: task,
      });
      expect((await stored(settings))?.status).toBe('completed');
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('fails the episode when the model call fails', async () => {
    const { model } = scriptedModel([
      { tools: [['searchDocs', { query: 'q' }]] },
      { fail: new Error('model overloaded') },
    ]);
    const settings = withMemory({ memory, domain: 'ops', taskType: 'debugging' });
    await expect(
      generateText({ ...settings, model, tools, stopWhen: stepCountIs(5), maxRetries: 0, prompt: 'Find it' }),
    ).rejects.toThrow('model overloaded');
    const episode = await stored(settings);
    expect(episode?.status).toBe('failed');
    expect(episode?.steps.map((step) => [step.action, step.success])).toEqual([['searchDocs', true]]);
  });

  it('completes the episode when the AI SDK retries a failed model call and the retry succeeds', async () => {
    const { model } = scriptedModel([
      { tools: [['searchDocs', { query: 'first' }]] },
      { fail: overloaded() },
      { tools: [['runTests', { file: 'after-retry.test.ts' }]] },
      { text: 'done after a retry' },
    ]);
    const settings = withMemory({ memory, domain: 'retry', taskType: 'debugging' });
    const result = await generateText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(6),
      prompt: 'Retry it',
    });
    expect(result.text).toBe('done after a retry');
    const episode = await stored(settings);
    expect(episode?.status).toBe('completed');
    expect(episode?.steps.map((step) => [step.action, step.success])).toEqual([
      ['searchDocs', true],
      ['runTests', false],
    ]);
  });

  it('fails the episode when the AI SDK gives up retrying, keeping the steps before', async () => {
    const { model } = scriptedModel([
      { tools: [['searchDocs', { query: 'first' }]] },
      { fail: overloaded() },
      { fail: overloaded() },
    ]);
    const settings = withMemory({ memory, domain: 'retry', taskType: 'debugging' });
    await expect(
      generateText({ ...settings, model, tools, stopWhen: stepCountIs(6), maxRetries: 1, prompt: 'Give up' }),
    ).rejects.toThrow('overloaded');
    const episode = await stored(settings);
    expect(episode?.status).toBe('failed');
    expect(episode?.steps.map((step) => step.action)).toEqual(['searchDocs']);
  });

  it('stores every step of a run whose tool output the store would refuse as it is, and completes it', async () => {
    const emoji = '\u{1F600}';
    const outputs = [`a${emoji.repeat(3000)}`, 'binary\u0000output', `lone \uD800 surrogate`];
    const echo = tool({
      description: 'Prints a file',
      inputSchema: z.object({ n: z.number() }),
      execute: async ({ n }) => outputs[n] ?? '',
    });
    const { model } = scriptedModel([
      { tools: [['echo', { n: 0 }]] },
      { tools: [['echo', { n: 1 }]] },
      { tools: [['echo', { n: 2 }]] },
      { text: 'printed' },
    ]);
    const settings = withMemory({ memory, domain: 'unicode', taskType: 'debugging' });
    // Cut at 16,000 characters, the prompt would keep half an emoji at the start of its end.
    const prompt = `${'x'.repeat(15_961)}${emoji.repeat(100)}`;
    await generateText({ ...settings, model, tools: { echo }, stopWhen: stepCountIs(6), prompt });
    const episode = await stored(settings);
    expect(episode?.status).toBe('completed');
    expect(episode?.context).toMatch(/^x+… \[\d+ more characters\] …x+(\u{1F600})+$/u);
    expect(episode?.context?.length).toBeLessThanOrEqual(16_000);
    const results = episode?.steps.map((step) => step.result ?? '') ?? [];
    expect(results).toHaveLength(3);
    expect(results[0]?.length).toBeLessThanOrEqual(4000);
    expect(results[0]).toMatch(/^a(\u{1F600})+… \[\d+ more characters\] …(\u{1F600})+$/u);
    expect(results[1]).toBe('binary\uFFFDoutput');
    expect(results[2]).toBe('lone \uFFFD surrogate');
  });

  it('keeps recording after the store refuses one batch of steps, and completes the episode', async () => {
    const errors: unknown[] = [];
    const print = tool({
      description: 'Prints a file',
      inputSchema: z.object({ size: z.number() }),
      execute: async ({ size }) => 'y'.repeat(size),
    });
    const { model } = scriptedModel([
      { tools: [['print', { size: 10 }]] },
      { tools: [['print', { size: 70_000 }]] },
      { tools: [['print', { size: 20 }]] },
      { text: 'printed' },
    ]);
    // More than the store's own limit (maxResultChars 65,536): that step's batch is refused.
    const settings = withMemory({
      memory,
      domain: 'refused',
      taskType: 'debugging',
      maxResultChars: 100_000,
      onMemoryError: (error) => errors.push(error),
    });
    await generateText({ ...settings, model, tools: { print }, stopWhen: stepCountIs(6), prompt: 'Print' });
    expect(errors).toHaveLength(1);
    const episode = await stored(settings);
    expect(episode?.status).toBe('completed');
    expect(episode?.steps.map((step) => step.result?.length)).toEqual([10, 20]);
  });

  /** A two-step run against a store closed before it, `onMemoryError` given its faults. */
  async function runOnClosedStore(file: string, onMemoryError: (error: unknown) => void) {
    const closed = await openMemory({ url: `file:${join(dir, file)}`, cache: false });
    await closed.close();
    const { model } = scriptedModel([{ tools: [['searchDocs', { query: 'q' }]] }, { text: 'fine' }]);
    const settings = withMemory({ memory: closed, domain: 'ops', taskType: 'debugging', onMemoryError });
    const result = await generateText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(3),
      prompt: 'Find it',
    });
    return { result, settings };
  }

  it('lets the run go on without memory when the store fails, and says so', async () => {
    const errors: unknown[] = [];
    const { result, settings } = await runOnClosedStore('closed.db', (e) => errors.push(e));
    expect(result.text).toBe('fine');
    expect(errors.length).toBeGreaterThan(0);
    expect(await settings.episode()).toBeNull();
  });

  it('keeps the answer when onMemoryError itself throws (a logger that fails), and calls it once a fault', async () => {
    let calls = 0;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // It rejected with the hook's error before the model was called: no answer.
      const { result, settings } = await runOnClosedStore('closed-hook.db', () => {
        calls += 1;
        throw new Error('logger failed');
      });
      expect(result.text).toBe('fine');
      expect(await settings.episode()).toBeNull();
      expect(warn).toHaveBeenCalledWith('[episodic] onMemoryError threw: logger failed');
    } finally {
      warn.mockRestore();
    }
    // The start and the look-up of past episodes failed, once each; never its own error again.
    expect(calls).toBe(2);
  });
});

describe('withMemory with streamText', () => {
  it('records the tool steps of a streamed run and completes it', async () => {
    const { model } = scriptedModel([
      {
        tools: [
          ['searchDocs', { query: 'stream' }],
          ['runTests', { file: 'a.test.ts' }],
        ],
      },
      { text: 'streamed answer' },
    ]);
    const settings = withMemory({ memory, domain: 'stream', taskType: 'debugging' });
    const result = streamText({ ...settings, model, tools, stopWhen: stepCountIs(3), prompt: 'Stream it' });
    expect(await result.text).toBe('streamed answer');
    const episode = await stored(settings);
    expect(episode?.status).toBe('completed');
    expect(episode?.steps.map((step) => [step.action, step.success])).toEqual([
      ['searchDocs', true],
      ['runTests', false],
    ]);
    expect(episode?.steps[0]?.durationMs).toBeGreaterThanOrEqual(25);
  });

  it('completes the episode when the AI SDK retries a stream that failed to start', async () => {
    const { model } = scriptedModel([
      { tools: [['searchDocs', { query: 'stream' }]] },
      { fail: overloaded() },
      { text: 'streamed after a retry' },
    ]);
    const settings = withMemory({ memory, domain: 'stream', taskType: 'debugging' });
    const result = streamText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(4),
      prompt: 'Stream, retry',
    });
    expect(await result.text).toBe('streamed after a retry');
    const episode = await stored(settings);
    expect([episode?.status, episode?.steps.map((step) => step.action)]).toEqual([
      'completed',
      ['searchDocs'],
    ]);
  });

  it('fails the episode when the stream is aborted', async () => {
    const controller = new AbortController();
    const { model } = scriptedModel([{ tools: [['searchDocs', { query: 'slow' }]] }, { text: 'never' }]);
    const settings = withMemory({ memory, domain: 'stream', taskType: 'debugging' });
    const result = streamText({
      ...settings,
      model,
      tools,
      stopWhen: stepCountIs(3),
      abortSignal: controller.signal,
      prompt: 'Abort it',
    });
    for await (const part of result.fullStream) if (part.type === 'tool-call') controller.abort();
    const episode = await stored(settings);
    expect(episode?.status).toBe('failed');
  });
});

describe('withMemory with ToolLoopAgent', () => {
  it('makes each run of the agent its own episode', async () => {
    const { model } = scriptedModel([
      { tools: [['searchDocs', { query: 'first' }]] },
      { text: 'first answer' },
      { tools: [['runTests', { file: 'b.test.ts' }]] },
      { text: 'second answer' },
    ]);
    const settings = withMemory({ memory, domain: 'agent', taskType: 'debugging' });
    const agent = new ToolLoopAgent({ ...settings, model, tools });
    await agent.generate({ prompt: 'First task' });
    const first = await stored(settings);
    await agent.generate({ prompt: 'Second task' });
    const second = await stored(settings);
    expect(second?.id).not.toBe(first?.id);
    expect([first?.context, first?.status, first?.steps.map((step) => step.action)]).toEqual([
      'First task',
      'completed',
      ['searchDocs'],
    ]);
    expect([second?.context, second?.steps.map((step) => [step.action, step.success])]).toEqual([
      'Second task',
      [['runTests', false]],
    ]);
    expect(first?.steps[0]?.durationMs).toBeGreaterThanOrEqual(25);
  });
});
