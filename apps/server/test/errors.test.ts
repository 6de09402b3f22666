import { join } from 'node:path';
import Libsql from 'libsql';
import { describe, expect, it } from 'vitest';
import { rejection, startTestServer } from './__fixtures__/test-server.js';

interface Refusal {
  message: string;
  data?: {
    code?: string;
    httpStatus?: number;
    issues?: { path: string; message: string }[] | null;
    stack?: string;
  };
}

const paths = (error: Refusal) => [...new Set((error.data?.issues ?? []).map((issue) => issue.path))].sort();

describe('errors', () => {
  it('refuses bad input with BAD_REQUEST and the field paths, storing nothing', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    const error = (await rejection(
      admin.episodes.logSteps.mutate({
        episodeId: episode.id,
        steps: [{ action: 'fine' }, { action: '' }, { action: 'x', durationMs: -1, extra: true } as never],
      }),
    )) as Refusal;
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.httpStatus).toBe(400);
    expect(paths(error)).toEqual(['steps.1.action', 'steps.2', 'steps.2.durationMs']);
    expect(error.message).toMatch(/^Invalid input: steps\.1\.action: /);
    expect((await admin.episodes.get.query({ episodeId: episode.id })).steps).toEqual([]);

    const start = (await rejection(
      admin.episodes.start.mutate({ taskType: 'dancing', domain: '' }),
    )) as Refusal;
    expect(paths(start)).toEqual(['domain', 'taskType']);
  });

  it('names the first 20 issues of a refusal and counts the rest, and refuses too many steps before checking them', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    // Every issue used to be listed, in the message and in `issues`: 8 MB of bad steps took 42 s
    // of the serving thread and answered 269 MB.
    const many = (await rejection(
      admin.episodes.logSteps.mutate({
        episodeId: episode.id,
        steps: Array.from({ length: 500 }, () => ({ action: '' })),
      }),
    )) as Refusal;
    expect(many.data?.issues).toHaveLength(21);
    expect(many.data?.issues?.[20]).toEqual({ path: '(input)', message: 'and 480 more issues' });
    expect(many.message.length).toBeLessThan(3_000);
    const records = Array.from({ length: 1_000 }, (_, i) => ({
      id: `01a24f00-0000-7000-8000-${String(i).padStart(12, '0')}`,
      taskType: 'debugging' as const,
      domain: 'web',
      steps: Array.from({ length: 20 }, () => ({ x: 0 }) as never),
    }));
    const tooMany = (await rejection(admin.episodes.record.mutate(records))) as Refusal;
    expect(tooMany.data?.issues).toEqual([
      {
        path: '500.steps',
        message: 'brings the call to 20000 steps; at most 10000 in one call (send the records in several)',
      },
    ]);
  });

  it('maps engine refusals to tRPC codes, with the engine field paths for validation', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    const id = '01900000-0000-7000-8000-0000000000aa';

    const duplicate = (await rejection(
      admin.episodes.logSteps.mutate({
        episodeId: episode.id,
        steps: [
          { id, action: 'a' },
          { id, action: 'b' },
        ],
      }),
    )) as Refusal;
    expect([duplicate.data?.code, duplicate.data?.httpStatus, paths(duplicate)]).toEqual([
      'BAD_REQUEST',
      400,
      ['steps.1.id'],
    ]);

    const cursor = (await rejection(admin.episodes.list.query({ cursor: 'not-a-cursor' }))) as Refusal;
    expect([cursor.data?.code, paths(cursor)]).toEqual(['BAD_REQUEST', ['cursor']]);

    await admin.episodes.complete.mutate({ episodeId: episode.id, status: 'completed' });
    const twice = (await rejection(
      admin.episodes.complete.mutate({ episodeId: episode.id, status: 'failed' }),
    )) as Refusal;
    expect([twice.data?.code, twice.data?.httpStatus]).toEqual(['CONFLICT', 409]);
    expect(twice.message).toMatch(/is completed; it cannot be completed/);

    const missing = (await rejection(admin.episodes.archive.mutate({ episodeId: id }))) as Refusal;
    expect([missing.data?.code, missing.data?.httpStatus]).toEqual(['NOT_FOUND', 404]);
  });

  it('takes an episode recorded after the fact, and refuses a start in the future or an end before the start', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const past = await admin.episodes.start.mutate({
      taskType: 'debugging',
      domain: 'web',
      createdAt: '2025-02-03T04:05:06Z',
    });
    expect(past.createdAt).toBe('2025-02-03T04:05:06.000Z');

    const future = (await rejection(
      admin.episodes.start.mutate({
        taskType: 'debugging',
        domain: 'web',
        createdAt: '2999-01-01T00:00:00Z',
      }),
    )) as Refusal;
    expect([future.data?.code, paths(future)]).toEqual(['BAD_REQUEST', ['createdAt']]);

    const early = (await rejection(
      admin.episodes.complete.mutate({
        episodeId: past.id,
        status: 'completed',
        completedAt: '2025-02-03T04:00:00Z',
      }),
    )) as Refusal;
    expect([early.data?.code, early.data?.httpStatus, paths(early)]).toEqual([
      'BAD_REQUEST',
      400,
      ['completedAt'],
    ]);
    expect(
      (await admin.episodes.list.query({})).items.map((episode) => [episode.id, episode.status]),
    ).toEqual([[past.id, 'active']]);
    const done = await admin.episodes.complete.mutate({
      episodeId: past.id,
      status: 'completed',
      completedAt: '2025-02-03T04:35:06Z',
    });
    expect(done.completedAt).toBe('2025-02-03T04:35:06.000Z');
  });

  it('refuses an episodes.record call of more than 10,000 steps in all, naming the record that passes the bound', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const record = (n: number) => ({
      id: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`,
      taskType: 'debugging' as const,
      domain: 'web',
      steps: Array.from({ length: 1000 }, (_, i) => ({ action: `step ${i}` })),
    });
    const records = Array.from({ length: 11 }, (_, n) => record(n));
    const error = (await rejection(admin.episodes.record.mutate(records))) as Refusal;
    expect([error.data?.code, error.data?.httpStatus, paths(error)]).toEqual([
      'BAD_REQUEST',
      400,
      ['10.steps'],
    ]);
    expect(error.message).toMatch(/at most 10000 in one call/u);
    expect((await admin.episodes.list.query({})).items).toEqual([]);
  });

  it('hides internal failures behind a generic message and never sends a stack', async () => {
    const logged: string[] = [];
    await using t = await startTestServer({ log: (line) => logged.push(line) });
    const admin = t.client(t.adminToken);
    const seen: Refusal[] = [
      (await rejection(admin.episodes.start.mutate({ taskType: 'nope', domain: 'web' }))) as Refusal,
      (await rejection(t.client(undefined).episodes.list.query({}))) as Refusal,
    ];
    // Closing the store under the running server makes every database call fail.
    await t.server.memory.close();
    const internal = (await rejection(
      admin.episodes.start.mutate({ taskType: 'testing', domain: 'web' }),
    )) as Refusal;
    seen.push(internal);
    expect([internal.data?.code, internal.data?.httpStatus, internal.message]).toEqual([
      'INTERNAL_SERVER_ERROR',
      500,
      'Internal server error',
    ]);
    for (const error of seen) {
      expect(error.data).not.toHaveProperty('stack');
      expect(JSON.stringify(error)).not.toMatch(/\bat .*\.(js|ts):\d+/);
    }
    // The operator still gets the real cause.
    expect(logged.join('\n')).toMatch(/internal error in episodes\.start: .*(closed|Database)/is);
  });

  it('answers 503 with a clear message, logging nothing, when another writer holds the database past the busy timeout', async () => {
    const logged: string[] = [];
    await using t = await startTestServer({
      log: (line) => logged.push(line),
      memory: { busyTimeoutMs: 200 },
    });
    const admin = t.client(t.adminToken);
    // Another process (any SQLite client) in a write transaction on the same file.
    const other = new Libsql(join(t.dir, 'memory.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const busy = (await rejection(
        admin.episodes.start.mutate({ taskType: 'testing', domain: 'web' }),
      )) as Refusal;
      expect([busy.data?.code, busy.data?.httpStatus]).toEqual(['SERVICE_UNAVAILABLE', 503]);
      expect(busy.message).toMatch(/^The database is busy: .*try again\.$/s);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    // Nothing was written, and the same request goes through once the lock is gone.
    expect((await admin.episodes.list.query({})).items).toEqual([]);
    await admin.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    expect(logged.filter((line) => /internal error/.test(line))).toEqual([]);
  });

  it('answers a single query the same way whether it comes alone or in a batch', async () => {
    await using t = await startTestServer();
    const batched = t.client(t.adminToken);
    const single = t.client(t.adminToken, { batch: false });
    const episode = await batched.episodes.start.mutate({
      taskType: 'debugging',
      domain: 'web',
      metadata: { a: 1 },
    });
    const fromBatch = await batched.episodes.get.query({ episodeId: episode.id });
    expect(await single.episodes.get.query({ episodeId: episode.id })).toEqual(fromBatch);
    // A single GET answers with what tRPC encodes for the same value in a batch.
    const alone = await fetch(
      `${t.url}/trpc/episodes.get?input=${encodeURIComponent(JSON.stringify({ episodeId: episode.id }))}`,
      {
        headers: { authorization: `Bearer ${t.adminToken}` },
      },
    );
    expect(await alone.text()).toBe(JSON.stringify({ result: { data: fromBatch } }));
    for (const input of [{ episodeId: 'bad' }, { episodeId: '01900000-0000-7000-8000-000000000000' }]) {
      const alone = (await rejection(single.episodes.get.query(input))) as Refusal;
      const inBatch = (await rejection(batched.episodes.get.query(input))) as Refusal;
      expect(alone).toMatchObject({ message: inBatch.message, data: inBatch.data });
    }
    const raw = await fetch(`${t.url}/trpc/episodes.get?input=%7Bbroken`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    // Input that is not JSON: tRPC's own refusal, as for any malformed request.
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', httpStatus: 400 } } });
  });

  it('refuses an id that cannot name a row with 400 at its field, and answers a well-formed one not there 404', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    const missingEpisode = '01900000-0000-7000-8000-000000000000';
    const outcome = async (call: Promise<unknown>) => {
      const error = (await rejection(call)) as Refusal;
      return [error.data?.httpStatus, paths(error)];
    };
    // An episode id is a UUID. A pattern id is any 1-128 characters: mined ids are 32 hex
    // characters, but a store upgraded from the seed schema keeps its own (`legacy-pattern`).
    expect([
      await outcome(admin.episodes.get.query({ episodeId: 'not-a-uuid' })),
      await outcome(admin.episodes.steps.query({ episodeId: 'not-a-uuid' })),
      await outcome(admin.patterns.get.query({ patternId: '' })),
      await outcome(admin.patterns.get.query({ patternId: 'p'.repeat(129) })),
      await outcome(
        admin.patterns.recordUsage.mutate({ patternId: '', episodeId: episode.id, helped: true }),
      ),
      await outcome(admin.learning.retire.mutate({ learner: '' })),
    ]).toEqual([
      [400, ['episodeId']],
      [400, ['episodeId']],
      [400, ['patternId']],
      [400, ['patternId']],
      [400, ['patternId']],
      [400, ['learner']],
    ]);
    expect([
      await outcome(admin.episodes.get.query({ episodeId: missingEpisode })),
      await outcome(admin.episodes.steps.query({ episodeId: missingEpisode })),
      await outcome(admin.patterns.get.query({ patternId: '0123456789abcdef0123456789abcdef' })),
      await outcome(admin.patterns.get.query({ patternId: 'legacy-pattern' })),
      await outcome(
        admin.patterns.recordUsage.mutate({
          patternId: 'legacy-pattern',
          episodeId: episode.id,
          helped: true,
        }),
      ),
      await outcome(admin.learning.retire.mutate({ learner: 'no-such-learner' })),
    ]).toEqual(Array.from({ length: 6 }, () => [404, []]));
  });
});
