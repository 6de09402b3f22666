import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import { heldEmbeddings } from '@episodic/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AgentMemory, openAgentMemory } from './agent-memory.js';
import { honouringSignals } from './signalled-memory.js';

const dir = mkdtempSync(join(tmpdir(), 'episodic-mcp-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How long a call may take to reject once its signal aborted. */
const patienceMs = 5_000;

/** What `call` settles with (its value or its error), or `'still waiting'` after `patienceMs`. */
async function settled(call: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), patienceMs);
  });
  const outcome = await Promise.race([
    call.then(
      (value) => value,
      (error: unknown) => error,
    ),
    waiting,
  ]);
  clearTimeout(timer);
  return outcome;
}

describe('an embedded memory honouring its callers’ signals', () => {
  const embeddings = heldEmbeddings();
  let engine: Memory;
  let memory: AgentMemory;
  beforeAll(async () => {
    engine = await openMemory({
      url: `file:${join(dir, 'memory.db')}`,
      embeddings: embeddings.provider,
      retrieval: { embedTimeoutMs: 120_000 },
    });
    memory = honouringSignals(engine);
  });
  afterAll(async () => {
    embeddings.release();
    await engine?.close();
  });

  it('stops waiting for a call once its signal aborts, while the engine still works on it', async () => {
    embeddings.hold();
    const controller = new AbortController();
    const retrieving = memory.search.retrieve({ text: 'checkout TypeError' }, { signal: controller.signal });
    await vi.waitFor(() => expect(embeddings.asked()).toBe(1), { timeout: 30_000 });
    const reason = new Error('cancelled by the client');
    controller.abort(reason);
    expect(await settled(retrieving)).toBe(reason);
    // Let go, the engine's call still ends, and its outcome raises no unhandled rejection.
    embeddings.release();
  });

  it('starts no call whose signal has aborted, at every method', async () => {
    const signal = AbortSignal.abort(new Error('cancelled'));
    const id = '01936f3e-0000-7000-8000-000000000000';
    const options = { signal };
    const calls: { [N in keyof AgentMemory]: Record<keyof AgentMemory[N], () => Promise<unknown>> } = {
      episodes: {
        start: () => memory.episodes.start({ id, taskType: 'debugging', domain: 'web' }, options),
        logSteps: () => memory.episodes.logSteps(id, [{ action: 'run_tests' }], options),
        logStep: () => memory.episodes.logStep(id, { action: 'run_tests' }, options),
        complete: () => memory.episodes.complete(id, { status: 'completed' }, options),
        archive: () => memory.episodes.archive(id, options),
        record: () => memory.episodes.record([{ id, taskType: 'debugging', domain: 'web' }], options),
        get: () => memory.episodes.get(id, options),
        steps: () => memory.episodes.steps(id, {}, options),
        list: () => memory.episodes.list({}, options),
      },
      search: {
        text: () => memory.search.text({ text: 'x' }, options),
        retrieve: () => memory.search.retrieve({ text: 'x' }, options),
      },
      patterns: {
        list: () => memory.patterns.list({}, options),
        get: () => memory.patterns.get('p', options),
        relevant: () => memory.patterns.relevant({}, options),
        recordUsage: () => memory.patterns.recordUsage('p', { episodeId: id, helped: true }, options),
      },
      learning: {
        status: () => memory.learning.status(options),
        flush: () => memory.learning.flush({}, options),
        retryFailed: () => memory.learning.retryFailed(options),
        retire: () => memory.learning.retire('embeddings', options),
      },
    };
    for (const [namespace, methods] of Object.entries(calls))
      for (const [name, call] of Object.entries(methods))
        expect(await settled(call()), `${namespace}.${name}`).toBe(signal.reason);
    // Neither the start nor the record ran.
    expect(await engine.episodes.get(id)).toBeNull();
  });
});

it('gives the tools an embedded memory that honours their signals', async () => {
  const opened = await openAgentMemory({ dataDir: join(dir, 'agent') }, {});
  try {
    const reason = new Error('cancelled');
    const listing = opened.memory.episodes.list({}, { signal: AbortSignal.abort(reason) });
    expect(await settled(listing)).toBe(reason);
  } finally {
    await opened.close();
  }
});
