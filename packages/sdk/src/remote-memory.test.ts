import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, parseServerConfig } from '@episodic/server';
import { startTestServer, type TestServer } from '@episodic/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEpisodicClient, createRemoteMemory, type RemoteMemory, TRPCClientError } from './index.js';

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
  const firstTwo = await memory.episodes.steps(episode.id, { limit: 2 });
  const rest =
    firstTwo?.nextCursor == null
      ? null
      : await memory.episodes.steps(episode.id, { cursor: firstTwo.nextCursor });
  const hits = await memory.search.text({ text: 'Safari TypeError' });
  const retrieved = await memory.search.retrieve({ text: 'login TypeError on Safari', domain: 'web' });
  const page = await memory.episodes.list({ domain: 'web' });
  const relevant = await memory.patterns.relevant({ text: 'TypeError', domain: 'web' });
  return {
    lastStepNumber: last.stepNumber,
    completed: [completed.status, completed.successRate],
    drained: [drained.pending, drained.failed],
    steps: stored?.steps.map((step) => [step.stepNumber, step.action, step.success]),
    stepCount: [stored?.stepCount, stored?.nextStepsCursor],
    pages: [firstTwo?.items.map((step) => step.stepNumber), rest?.items.map((step) => step.stepNumber)],
    embedded: stored?.embeddingVersion !== null,
    hits: hits.map((hit) => hit.episode.context),
    retrieved: retrieved.episodes.map((entry) => [entry.episode.context, entry.why.vector !== null]),
    listed: page.items.map((item) => item.context),
    relevant: relevant.length,
    missing: await memory.episodes.get('01936f3e-0000-7000-8000-000000000000'),
    missingSteps: await memory.episodes.steps('01936f3e-0000-7000-8000-000000000000'),
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
      stepCount: [3, null],
      pages: [[1, 2], [3]],
      missing: null,
      missingSteps: null,
      missingPattern: null,
    });
  });
});

describe('createRemoteMemory beside openMemory', () => {
  it('has every method of the engine namespaces, but the embedded-only episodes.getJson and appendSteps', async () => {
    const embedded = await openStore(parseServerConfig({ dataDir }));
    const remote = createRemoteMemory({ url: t.url, token });
    try {
      for (const namespace of ['episodes', 'search', 'patterns', 'learning'] as const) {
        const local = Object.keys(embedded[namespace]).filter(
          (name) => name !== 'getJson' && name !== 'appendSteps',
        );
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
    // A learner this store never had: nothing to retire.
    await expect(memory.learning.retire('renamed-plugin')).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });
});

describe('inputs of the wrong shape, embedded or over HTTP', () => {
  /** A call's outcome: what it answered, or the refusal's code and issues (VALIDATION ↔ BAD_REQUEST). */
  const outcome = (call: () => Promise<unknown>) =>
    Promise.resolve()
      .then(call)
      .then(
        (answer) => ({ answered: answer !== null }),
        (error: { data?: { code: string; issues: unknown[] }; code?: string; issues?: unknown[] }) => ({
          refused: error.data?.code === 'BAD_REQUEST' || error.code === 'VALIDATION',
          issues: error.data?.issues ?? error.issues,
        }),
      );

  it('refuses what the engine refuses, at the same paths, and changes nothing', async () => {
    const remote = createRemoteMemory({ url: t.url, token });
    const embedded = t.server.memory;
    const { id } = await embedded.episodes.start({ taskType: 'debugging', domain: 'web' });
    const other = await embedded.episodes.start({ taskType: 'debugging', domain: 'web' });
    const wrong = (value: unknown) => value as never;
    // Each would have been sent changed: spread into the id's object (a string's letters as keys),
    // its own `episodeId` replaced by the argument (completing `id` rather than refusing), a null
    // id or input replaced by a default, or a TypeError thrown before any call.
    const calls: [string, (memory: RemoteMemory) => Promise<unknown>][] = [
      [
        'complete naming another episode',
        (m) => m.episodes.complete(id, wrong({ status: 'failed', episodeId: other.id })),
      ],
      ['complete of a string', (m) => m.episodes.complete(id, wrong('completed'))],
      ['complete of null', (m) => m.episodes.complete(id, wrong(null))],
      ['steps naming another episode', (m) => m.episodes.steps(id, wrong({ episodeId: other.id }))],
      ['steps of null', (m) => m.episodes.steps(id, wrong(null))],
      ['start of null', (m) => m.episodes.start(wrong(null))],
      ['start of a string', (m) => m.episodes.start(wrong('debugging'))],
      [
        'start with a null id',
        (m) => m.episodes.start(wrong({ taskType: 'debugging', domain: 'web', id: null })),
      ],
      ['logSteps of null', (m) => m.episodes.logSteps(id, wrong(null))],
      ['logSteps of one step, not a list', (m) => m.episodes.logSteps(id, wrong({ action: 'x' }))],
      ['logSteps of a string step', (m) => m.episodes.logSteps(id, wrong(['run']))],
      ['logSteps with a null step id', (m) => m.episodes.logSteps(id, wrong([{ action: 'x', id: null }]))],
      ['logStep of null', (m) => m.episodes.logStep(id, wrong(null))],
      [
        'recordUsage naming another pattern',
        (m) => m.patterns.recordUsage('p', wrong({ episodeId: id, helped: true, patternId: 'q' })),
      ],
      ['recordUsage of null', (m) => m.patterns.recordUsage('p', wrong(null))],
      ['list of null', (m) => m.episodes.list(wrong(null))],
      ['patterns.relevant of null', (m) => m.patterns.relevant(wrong(null))],
    ];
    for (const [name, call] of calls) {
      const local = await outcome(() => call(embedded));
      expect(local, name).toMatchObject({ refused: true });
      expect(await outcome(() => call(remote)), name).toEqual(local);
    }
    expect((await embedded.episodes.get(id))?.status).toBe('active');
    expect((await embedded.episodes.get(id))?.stepCount).toBe(0);
    // The typed client's call never settled: its replay link read the id of a `null` step.
    const client = createEpisodicClient({ url: t.url, token });
    const refused = await client.episodes.logSteps
      .mutate({ episodeId: id, steps: [null as never] })
      .catch((e) => e);
    expect((refused as TRPCClientError<never>).data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: 'steps.0' }],
    });
  });
});

describe('metadata JSON cannot carry, embedded or over HTTP', () => {
  /** What a call answered: the metadata stored, or the refused fields (VALIDATION embedded, BAD_REQUEST remote). */
  const outcome = (call: Promise<{ metadata: unknown }>) =>
    call.then(
      (episode) => ({ stored: episode.metadata }),
      (error: { data?: { code: string; issues: unknown[] }; code?: string; issues?: unknown[] }) => ({
        refused: error.data?.code === 'BAD_REQUEST' || error.code === 'VALIDATION',
        issues: error.data?.issues ?? error.issues,
      }),
    );
  /** A remote memory and a typed client that count their HTTP requests. */
  const counted = () => {
    const sent = { requests: 0 };
    const counting: typeof fetch = (input, init) => {
      sent.requests += 1;
      return fetch(input, init);
    };
    return {
      sent,
      memory: createRemoteMemory({ url: t.url, token, fetch: counting }),
      client: createEpisodicClient({ url: t.url, token, fetch: counting }),
    };
  };

  const cases: [string, unknown][] = [
    ['NaN', { retries: Number.NaN }],
    ['Infinity', { ratio: Number.POSITIVE_INFINITY, floor: Number.NEGATIVE_INFINITY }],
    ['a Date', { at: new Date('2024-05-01T00:00:00Z') }],
    ['undefined', { file: undefined }],
    ['a BigInt', { bytes: 10n }],
    ['a function and a symbol', { run: () => 1, tag: Symbol('tag') }],
    [
      'a class instance, a Map, undefined in an array',
      { url: new URL('https://x.test'), seen: new Map(), list: [1, undefined, 3] },
    ],
    ['a NaN deep inside', { run: { attempts: [{ retries: Number.NaN }] } }],
    ['a symbol key', { [Symbol('key')]: 1 }],
    ['a Date for the whole metadata', new Date('2024-05-01T00:00:00Z')],
    ['a class instance for the whole metadata', new URL('https://x.test')],
    ['NaN for the whole metadata', Number.NaN],
    ['-Infinity for the whole metadata', Number.NEGATIVE_INFINITY],
    ['only JSON', { tool: 'grep', args: ['-n', 'x'], exit: 0, ok: true, none: null, nested: { a: [{}] } }],
  ];
  for (const [name, metadata] of cases) {
    it(`answers an episode whose metadata holds ${name} as the engine does, and sends no refused call`, async () => {
      const { sent, memory } = counted();
      const input = { taskType: 'debugging', domain: 'web', metadata } as never;
      const embedded = await outcome(t.server.memory.episodes.start(input));
      const overHttp = await outcome(memory.episodes.start(input));
      expect(overHttp).toEqual(embedded);
      expect(sent.requests).toBe('stored' in embedded ? 1 : 0);
    });
  }

  it('refuses such metadata in steps and records with the engine’s field paths, as a BAD_REQUEST', async () => {
    const { sent, memory, client } = counted();
    const { id } = await t.server.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    const at = new Date('2024-05-01T00:00:00Z');
    const calls = (into: RemoteMemory) => [
      () => into.episodes.logSteps(id, [{ action: 'read' }, { action: 'edit', metadata: { at } }]),
      () => into.episodes.logStep(id, { action: 'edit', metadata: { retries: Number.NaN } }),
      () =>
        into.episodes.record([
          {
            id: '01936f3e-0000-7000-8000-0000000000ba',
            taskType: 'debugging',
            domain: 'web',
            metadata: { file: undefined } as never,
            steps: [{ action: 'read', metadata: { at } }],
          },
        ]),
    ];
    const refusal = (error: { data?: { issues: unknown }; issues?: unknown }) =>
      error.data?.issues ?? error.issues;
    const embedded = await Promise.all(
      calls(t.server.memory).map((call) => call().then(() => 'stored', refusal)),
    );
    const overHttp = await Promise.all(calls(memory).map((call) => call().then(() => 'stored', refusal)));
    expect(overHttp).toEqual(embedded);
    expect(embedded.map((issues) => (issues as { path: string }[]).map((issue) => issue.path))).toEqual([
      ['steps.1.metadata.at'],
      ['steps.0.metadata.retries'],
      ['0.metadata.file', '0.steps.0.metadata.at'],
    ]);

    // The refusal is the server's for an input its schema refuses, and the typed client's the same.
    const refused = [
      await memory.episodes
        .logStep(id, { action: 'edit', metadata: { at } })
        .catch((caught: unknown) => caught),
      await client.episodes.logSteps
        .mutate({ episodeId: id, steps: [{ action: 'edit', metadata: { at } as never }] })
        .catch((caught: unknown) => caught),
    ];
    for (const error of refused) {
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(error).toMatchObject({
        message: 'Invalid input: steps.0.metadata.at: Invalid input',
        data: { code: 'BAD_REQUEST', httpStatus: 400, path: 'episodes.logSteps' },
      });
    }
    // Sent as JSON, this selector would lose `session` and forget every episode of the user.
    const forget = await client.admin.forget
      .mutate({ metadata: { user: 'ann', session: undefined } as never })
      .catch((caught: unknown) => caught);
    expect(forget).toMatchObject({ data: { code: 'BAD_REQUEST', issues: [{ path: 'metadata.session' }] } });
    expect(sent.requests).toBe(0);
  });
});

describe('a signal passed to either memory', () => {
  it('changes nothing while it does not abort, embedded or over HTTP', async () => {
    const remote = createRemoteMemory({ url: t.url, token });
    const run = async (memory: RemoteMemory) => {
      const options = { signal: new AbortController().signal };
      const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'signal' }, options);
      await memory.episodes.logStep(episode.id, { action: 'run_tests' }, options);
      const read = await memory.episodes.get(episode.id, options);
      const listed = await memory.episodes.list({ domain: 'signal' }, options);
      return [read?.steps.map((step) => step.action), listed.items.some((item) => item.id === episode.id)];
    };
    expect(await run(t.server.memory)).toEqual([['run_tests'], true]);
    expect(await run(remote)).toEqual([['run_tests'], true]);
  });
});
