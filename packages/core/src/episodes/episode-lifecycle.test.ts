import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';
import { openMemory } from '../open-memory.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

const start = () =>
  store.memory.episodes.start({
    taskType: 'debugging',
    domain: 'web',
    context: 'login fails',
    metadata: { repo: 'shop' },
  });

async function stepCount(episodeId: string): Promise<number> {
  const raw = createClient({ url: store.url });
  const n = (
    await raw.execute({ sql: 'SELECT count(*) AS n FROM steps WHERE episode_id = ?', args: [episodeId] })
  ).rows[0]?.n;
  raw.close();
  return Number(n);
}

describe('episode lifecycle', () => {
  it('starts an active episode with a sortable id', async () => {
    const first = await start();
    const second = await start();
    expect(first).toMatchObject({
      status: 'active',
      completedAt: null,
      successRate: null,
      metadata: { repo: 'shop' },
    });
    expect(first.id < second.id).toBe(true);
    expect(await store.memory.episodes.get(first.id)).toEqual({
      ...first,
      steps: [],
      stepCount: 0,
      nextStepsCursor: null,
    });
  });

  it('numbers steps 1, 2, 3… per episode across calls, keeping every field', async () => {
    const episode = await start();
    const other = await start();
    await store.memory.episodes.logSteps(episode.id, [
      { action: 'read_file', result: 'ok', durationMs: 12, success: true, metadata: { path: 'a.ts' } },
      {
        action: 'run_tests',
        result: 'Error: expected 2',
        success: false,
        timestamp: '2026-01-02T03:04:05+01:00',
      },
    ]);
    await store.memory.episodes.logStep(other.id, { action: 'elsewhere' });
    const third = await store.memory.episodes.logStep(episode.id, { action: 'edit_file' });
    expect(third.stepNumber).toBe(3);
    const stored = await store.memory.episodes.get(episode.id);
    expect(stored?.steps).toMatchObject([
      {
        stepNumber: 1,
        action: 'read_file',
        result: 'ok',
        durationMs: 12,
        success: true,
        metadata: { path: 'a.ts' },
      },
      { stepNumber: 2, action: 'run_tests', success: false, timestamp: '2026-01-02T02:04:05.000Z' },
      { stepNumber: 3, action: 'edit_file', result: null, durationMs: null, success: null, metadata: null },
    ]);
  });

  it('numbers steps without gaps or repeats when many callers log at once, from two connections', async () => {
    const episode = await start();
    const second = await openMemory({ url: store.url });
    try {
      const writers = [store.memory, second];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          writers[i % 2]!.episodes.logSteps(episode.id, [{ action: `a${i}` }, { action: `b${i}` }]),
        ),
      );
    } finally {
      await second.close();
    }
    const steps = (await store.memory.episodes.get(episode.id))?.steps ?? [];
    expect(steps.map((step) => step.stepNumber)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    // each call's two steps stay adjacent: a batch is numbered inside one transaction
    for (let i = 0; i < 80; i += 2) expect(steps[i]!.action.slice(1)).toBe(steps[i + 1]!.action.slice(1));
  });

  it('answers appendSteps with the domain its write read, though another handle forgot the id and started it again', async () => {
    const episode = await start();
    expect((await store.memory.episodes.appendSteps(episode.id, [{ action: 'first' }])).domain).toBe('web');
    const second = await openMemory({ url: store.url, cache: false });
    try {
      await second.admin.forget({ episodeIds: [episode.id] });
      await second.episodes.start({ id: episode.id, taskType: 'testing', domain: 'billing' });
    } finally {
      await second.close();
    }
    const appended = await store.memory.episodes.appendSteps(episode.id, [{ action: 'second' }]);
    expect([appended.domain, appended.steps.map((step) => [step.stepNumber, step.action])]).toEqual([
      'billing',
      [[1, 'second']],
    ]);
  });

  it('stores a retried step id once', async () => {
    const episode = await start();
    const id = '01936f3e-0000-7000-8000-00000000abcd';
    const first = await store.memory.episodes.logSteps(episode.id, [{ id, action: 'deploy' }]);
    const retry = await store.memory.episodes.logSteps(episode.id, [
      { id, action: 'deploy' },
      { action: 'verify' },
    ]);
    expect(retry[0]).toEqual(first[0]);
    expect(retry[1]?.stepNumber).toBe(2);
    expect(await stepCount(episode.id)).toBe(2);
    const other = await start();
    await expect(
      store.memory.episodes.logSteps(other.id, [{ action: 'build' }, { id, action: 'deploy' }]),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      issues: [
        { path: 'steps.1.id', message: 'already belongs to another episode: give the step another id' },
      ],
    });
    await expect(
      store.memory.episodes.logSteps(other.id, [
        { id: '01936f3e-0000-7000-8000-00000000beef', action: 'x' },
        { id: '01936f3e-0000-7000-8000-00000000beef', action: 'y' },
      ]),
    ).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'steps.1.id' }] });
  });

  it('completes an episode once, with its outcome, and then refuses more steps', async () => {
    const episode = await start();
    await store.memory.episodes.logStep(episode.id, { action: 'fix' });
    const completed = await store.memory.episodes.complete(episode.id, {
      status: 'completed',
      successRate: 0.8,
    });
    expect(completed).toMatchObject({ status: 'completed', successRate: 0.8 });
    expect(Date.parse(completed.completedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(episode.createdAt));

    await expect(store.memory.episodes.logStep(episode.id, { action: 'late' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(store.memory.episodes.complete(episode.id, { status: 'failed' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('completed'),
    });
    expect((await store.memory.episodes.get(episode.id))?.steps).toHaveLength(1);

    const failed = await store.memory.episodes.complete((await start()).id, { status: 'failed' });
    expect(failed).toMatchObject({ status: 'failed', successRate: 0 });
  });

  it('archives an episode, keeping its outcome, and then refuses more steps', async () => {
    const episode = await start();
    await store.memory.episodes.complete(episode.id, { status: 'completed', successRate: 0.5 });
    const archived = await store.memory.episodes.archive(episode.id);
    expect(archived).toMatchObject({ status: 'archived', successRate: 0.5 });
    await expect(store.memory.episodes.logStep(episode.id, { action: 'x' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('reports a missing episode as NOT_FOUND on every write', async () => {
    const missing = '01936f3e-0000-7000-8000-000000000000';
    await expect(store.memory.episodes.logStep(missing, { action: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.memory.episodes.complete(missing, { status: 'completed' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.memory.episodes.archive(missing)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.memory.episodes.get(missing)).toBeNull();
  });
});

describe('validation', () => {
  it('refuses bad input with a typed error naming each field path', async () => {
    const error = await store.memory.episodes
      .start({ taskType: 'juggling', domain: '', metadata: [] as never, extra: 1 } as never)
      .catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error)).toBe(true);
    const paths = [...new Set((error as EpisodicError).issues.map((issue) => issue.path))].sort();
    expect(paths).toEqual(['(input)', 'domain', 'metadata', 'taskType']);
    expect((error as Error).message).toMatch(/taskType: .*; /);
  });

  it('stores no step of a batch that has one invalid step', async () => {
    const episode = await start();
    const error = await store.memory.episodes
      .logSteps(episode.id, [{ action: 'ok' }, { action: 'ok too' }, { action: 'bad', durationMs: -5 }])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'steps.2.durationMs' }] });
    expect(await stepCount(episode.id)).toBe(0);
  });

  it('stores no step of a batch when the database refuses one mid-way', async () => {
    const episode = await start();
    const raw = createClient({ url: store.url });
    await raw.execute(`CREATE TRIGGER refuse_boom BEFORE INSERT ON steps WHEN new.action = 'boom'
                       BEGIN SELECT RAISE(ABORT, 'boom refused'); END`);
    raw.close();
    const error = await store.memory.episodes
      .logSteps(episode.id, [{ action: 'first' }, { action: 'second' }, { action: 'boom' }])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'STORAGE', message: expect.stringContaining('boom refused') });
    expect(await stepCount(episode.id)).toBe(0);
    // the writer is usable afterwards, and numbering was not consumed by the failed batch
    expect((await store.memory.episodes.logStep(episode.id, { action: 'after' })).stepNumber).toBe(1);
  });

  it('bounds sizes, configurably, and requires metadata to be a JSON object', async () => {
    const small = await openTempMemory({
      limits: { maxContextChars: 10, maxResultChars: 5, maxMetadataChars: 20 },
    });
    try {
      await expect(
        small.memory.episodes.start({ taskType: 'testing', domain: 'd', context: 'x'.repeat(11) }),
      ).rejects.toMatchObject({
        issues: [{ path: 'context' }],
      });
      await expect(
        small.memory.episodes.start({ taskType: 'testing', domain: 'd', metadata: { key: 'y'.repeat(30) } }),
      ).rejects.toMatchObject({ issues: [{ path: 'metadata' }] });
      const episode = await small.memory.episodes.start({
        taskType: 'testing',
        domain: 'd',
        context: 'x'.repeat(10),
      });
      await expect(
        small.memory.episodes.logStep(episode.id, { action: 'a', result: '123456' }),
      ).rejects.toMatchObject({
        issues: [{ path: 'steps.0.result' }],
      });
    } finally {
      await small.close();
    }
    await expect(
      store.memory.episodes.start({ taskType: 'testing', domain: 'd', metadata: 'text' as never }),
    ).rejects.toMatchObject({
      issues: [{ path: 'metadata' }],
    });
    await expect(
      store.memory.episodes.start({ taskType: 'testing', domain: 'd', context: 'x'.repeat(64 * 1024 + 1) }),
    ).rejects.toMatchObject({
      issues: [{ path: 'context' }],
    });
  });

  it('accepts task types added in the config, and only those', async () => {
    const custom = await openTempMemory({ taskTypes: ['book_reservation'] });
    try {
      await expect(
        custom.memory.episodes.start({ taskType: 'book_reservation', domain: 'airline' }),
      ).resolves.toMatchObject({
        taskType: 'book_reservation',
      });
    } finally {
      await custom.close();
    }
    await expect(
      store.memory.episodes.start({ taskType: 'book_reservation', domain: 'airline' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
