import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, parseServerConfig } from '@episodic/server';
import { startTestServer, type TestServer } from '@episodic/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteMemory, type RemoteMemory } from './index.js';

let t: TestServer;
let token: string;
const dataDir = mkdtempSync(join(tmpdir(), 'episodic-embedded-'));

beforeAll(async () => {
  t = await startTestServer();
  // `learning` is admin-only on the server (its counts cover every domain).
  token = t.adminToken;
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One agent's session, written once against the interface both constructors return. */
async function scenario(memory: RemoteMemory) {
  const episode = await memory.episodes.start({
    taskType: 'debugging',
    domain: 'web',
    context: 'Login fails on Safari with a TypeError',
  });
  await memory.episodes.logSteps(episode.id, [
    { action: 'run_tests login', result: 'TypeError: undefined is not a function', success: false },
    { action: 'edit_file src/login.ts', result: 'added the polyfill', success: true },
  ]);
  const last = await memory.episodes.logStep(episode.id, {
    action: 'run_tests login',
    result: '12 passed',
    success: true,
  });
  const completed = await memory.episodes.complete(episode.id, { status: 'completed' });
  const drained = await memory.learning.flush();
  const stored = await memory.episodes.get(episode.id);
  const hits = await memory.search.text({ text: 'Safari TypeError' });
  const retrieved = await memory.search.retrieve({ text: 'login TypeError on Safari', domain: 'web' });
  const page = await memory.episodes.list({ domain: 'web' });
  const relevant = await memory.patterns.relevant({ text: 'TypeError', domain: 'web' });
  return {
    lastStepNumber: last.stepNumber,
    completed: [completed.status, completed.successRate],
    drained: [drained.pending, drained.failed],
    steps: stored?.steps.map((step) => [step.stepNumber, step.action, step.success]),
    embedded: stored?.embeddingVersion !== null,
    hits: hits.map((hit) => hit.episode.context),
    retrieved: retrieved.episodes.map((entry) => [entry.episode.context, entry.why.vector !== null]),
    listed: page.items.map((item) => item.context),
    relevant: relevant.length,
    missing: await memory.episodes.get('01936f3e-0000-7000-8000-000000000000'),
    missingPattern: await memory.patterns.get('no-such-pattern'),
  };
}

describe('one API, embedded or over HTTP', () => {
  it('runs the same scenario with the same results against openMemory and createRemoteMemory', async () => {
    // The embedded store as `episodic serve` composes it (same provider and miners as the test server).
    const embedded = await openStore(parseServerConfig({ dataDir }));
    let local: Awaited<ReturnType<typeof scenario>>;
    try {
      // Type-checks only if the engine's Memory has every name and type of RemoteMemory.
      local = await scenario(embedded);
    } finally {
      await embedded.close();
    }
    const remote = await scenario(createRemoteMemory({ url: t.url, token }));
    expect(remote).toEqual(local);
    expect(local).toMatchObject({
      lastStepNumber: 3,
      completed: ['completed', 1],
      drained: [0, 0],
      embedded: true,
      hits: ['Login fails on Safari with a TypeError'],
      missing: null,
      missingPattern: null,
    });
  });
});

describe('createRemoteMemory beside openMemory', () => {
  it('has every method of the engine namespaces, but the embedded-only episodes.getJson', async () => {
    const embedded = await openStore(parseServerConfig({ dataDir }));
    const remote = createRemoteMemory({ url: t.url, token });
    try {
      for (const namespace of ['episodes', 'search', 'patterns', 'learning'] as const) {
        const local = Object.keys(embedded[namespace]).filter((name) => name !== 'getJson');
        expect(Object.keys(remote[namespace]).sort(), namespace).toEqual(local.sort());
      }
    } finally {
      await embedded.close();
    }
  });

  it('records episodes with client-chosen ids and queues failed learning rows again over HTTP', async () => {
    const memory = createRemoteMemory({ url: t.url, token });
    const id = '01936f3e-0000-7000-8000-0000000000aa';
    const [first] = await memory.episodes.record([
      {
        id,
        taskType: 'debugging',
        domain: 'web',
        steps: [{ id: '01936f3e-0000-7000-8000-0000000000ab', action: 'run_tests' }],
      },
    ]);
    expect(first).toMatchObject({
      episode: { id, status: 'active' },
      steps: [{ stepNumber: 1 }],
      lateSteps: 0,
    });
    // Sent again with its outcome (a retried export): the step is stored once, the episode completes.
    const [again] = await memory.episodes.record([
      {
        id,
        taskType: 'debugging',
        domain: 'web',
        steps: [{ id: '01936f3e-0000-7000-8000-0000000000ab', action: 'run_tests' }],
        outcome: { status: 'completed' },
      },
    ]);
    expect(again).toMatchObject({ episode: { id, status: 'completed' }, steps: [{ stepNumber: 1 }] });
    expect(await memory.learning.flush()).toMatchObject({ pending: 0, failed: 0 });
    // Nothing failed on this server: the count of rows queued again.
    expect(await memory.learning.retryFailed()).toBe(0);
  });
});
