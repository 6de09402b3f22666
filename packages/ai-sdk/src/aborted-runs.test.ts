import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { heldEmbeddings } from '@episodic/core/testing';
import { createRemoteMemory } from '@episodic/sdk';
import { startTestServer, type TestServer } from '@episodic/server/testing';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type HeldFetch, heldFetch } from './__fixtures__/held-fetch.js';
import { scriptedModel } from './__fixtures__/scripted-model.js';
import { withMemory } from './with-memory.js';

// Runs their caller aborts (`abortSignal`) while the store keeps a read or a write waiting: the run
// must not wait for it, report nothing, and still end its episode.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Far longer than any test here: a run still waiting on the store would still be waiting. */
const memoryTimeoutMs = 60_000;
/** How long an aborted run may take to end. */
const patienceMs = 5_000;

/** What `run` settles with (its value or its error), or `'still waiting'` after `patienceMs`. */
async function settled(run: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), patienceMs);
  });
  const outcome = await Promise.race([
    run.then(
      (value) => value,
      (error: unknown) => error,
    ),
    waiting,
  ]);
  clearTimeout(timer);
  return outcome;
}

const readLogs = tool({ inputSchema: z.object({ service: z.string() }), execute: async () => 'OOM killed' });

/** A run on the server, through `held` when given, and what it reported. */
async function remoteRun(held?: HeldFetch) {
  const token = await server.token({ name: 'agent', scopes: ['read', 'write'], domains: ['ops'] });
  const errors: unknown[] = [];
  const settings = withMemory({
    memory: createRemoteMemory({ url: server.url, token, fetch: held?.fetch }),
    domain: 'ops',
    taskType: 'debugging',
    memoryTimeoutMs,
    onMemoryError: (error) => errors.push(error),
  });
  return { settings, errors, direct: createRemoteMemory({ url: server.url, token }) };
}

it('stops waiting for the look-up of past runs, reports nothing, and fails the episode', async () => {
  const held = heldFetch('search.retrieve');
  const { settings, errors } = await remoteRun(held);
  const controller = new AbortController();
  const { model } = scriptedModel([{ text: 'never' }]);
  const running = generateText({
    ...settings,
    model,
    abortSignal: controller.signal,
    prompt: 'The API pods restart',
  });
  await vi.waitFor(() => expect(held.held()).toBe(1), { timeout: 30_000 });
  controller.abort(new Error('the user pressed stop'));
  expect(await settled(running)).toBeInstanceOf(Error);
  expect(await settings.episode()).toMatchObject({ status: 'failed' });
  expect(errors).toEqual([]);
  await held.release();
});

it('stops waiting for a step write, reports nothing, and still fails the episode', async () => {
  const held = heldFetch('episodes.logSteps');
  const { settings, errors, direct } = await remoteRun(held);
  const controller = new AbortController();
  const { model } = scriptedModel([{ tools: [['readLogs', { service: 'api' }]] }, { text: 'never' }]);
  const running = generateText({
    ...settings,
    model,
    tools: { readLogs },
    stopWhen: stepCountIs(3),
    abortSignal: controller.signal,
    prompt: 'The API pods keep restarting',
  });
  await vi.waitFor(() => expect(held.held()).toBe(1), { timeout: 30_000 });
  controller.abort();
  expect(await settled(running)).toBeInstanceOf(Error);
  const episode = await settings.episode();
  expect(episode).toMatchObject({ status: 'failed' });
  expect(errors).toEqual([]);
  await held.release();
  // The write was let go before it reached the server.
  expect((await direct.episodes.get(episode?.id ?? ''))?.stepCount).toBe(0);
});

it('stops waiting for the outcome when aborted while it is written, and the outcome is written all the same', async () => {
  const held = heldFetch('episodes.complete');
  const { settings, errors, direct } = await remoteRun(held);
  const controller = new AbortController();
  const { model } = scriptedModel([{ text: 'restarted the pods' }]);
  const running = generateText({
    ...settings,
    model,
    abortSignal: controller.signal,
    prompt: 'Restart the pods',
  });
  await vi.waitFor(() => expect(held.held()).toBe(1), { timeout: 30_000 });
  controller.abort();
  // The run itself was over: it answers, without waiting for the store.
  expect(await settled(running)).toMatchObject({ text: 'restarted the pods' });
  await held.release();
  const episode = await settings.episode();
  expect(episode).toMatchObject({ status: 'completed' });
  expect((await direct.episodes.get(episode?.id ?? ''))?.status).toBe('completed');
  expect(errors).toEqual([]);
});

it('fails a run aborted before it began, even with a model that ignores its signal', async () => {
  const { settings, errors, direct } = await remoteRun();
  // Answers whatever its signal says: no model call fails to tell the run it was aborted.
  const model = new MockLanguageModelV3({
    doGenerate: async () => ({
      content: [{ type: 'text', text: 'answered anyway' }],
      finishReason: { unified: 'stop', raw: undefined },
      usage: {
        inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 1, text: 1, reasoning: undefined },
      },
      warnings: [],
    }),
  });
  const abortSignal = AbortSignal.abort(new Error('the user left'));
  await generateText({ ...settings, model, abortSignal, prompt: 'Rotate the keys' }).catch(() => undefined);
  const episode = await settings.episode();
  expect(episode).toMatchObject({ status: 'failed' });
  expect((await direct.episodes.get(episode?.id ?? ''))?.status).toBe('failed');
  expect(errors).toEqual([]);
});

it('stops waiting for an embedded look-up whose query the embedding provider does not embed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'episodic-ai-sdk-aborted-'));
  const embeddings = heldEmbeddings();
  const memory = await openMemory({
    url: `file:${join(dir, 'memory.db')}`,
    embeddings: embeddings.provider,
    retrieval: { embedTimeoutMs: 120_000 },
  });
  try {
    embeddings.hold();
    const errors: unknown[] = [];
    const settings = withMemory({
      memory,
      domain: 'ops',
      taskType: 'debugging',
      memoryTimeoutMs,
      onMemoryError: (error) => errors.push(error),
    });
    const controller = new AbortController();
    const { model } = scriptedModel([{ text: 'never' }]);
    const running = generateText({
      ...settings,
      model,
      abortSignal: controller.signal,
      prompt: 'Disk full on db-1',
    });
    await vi.waitFor(() => expect(embeddings.asked()).toBe(1), { timeout: 30_000 });
    controller.abort();
    expect(await settled(running)).toBeInstanceOf(Error);
    const episode = await settings.episode();
    expect(episode).toMatchObject({ status: 'failed' });
    expect((await memory.episodes.get(episode?.id ?? ''))?.status).toBe('failed');
    expect(errors).toEqual([]);
  } finally {
    embeddings.release();
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
