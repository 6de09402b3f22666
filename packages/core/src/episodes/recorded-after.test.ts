import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

const base = { taskType: 'debugging', domain: 'web' } as const;
const id = (n: number) => `00000000-0000-8000-8000-${String(n).padStart(12, '0')}`;
const day = 86_400_000;

/** The error a call rejects with, for its code, message and issues. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => null,
    (caught: unknown) => caught as EpisodicError,
  );

describe('episodes recorded after the fact (createdAt, completedAt)', () => {
  it('keeps the times given, and retrieve reads them: recency, time filters and named dates', async () => {
    const { episodes, search } = store.memory;
    const march = await episodes.start({
      ...base,
      context: 'deploy failed: disk full',
      createdAt: '2023-03-10T12:00:00Z',
    });
    await episodes.logSteps(march.id, [{ action: 'df -h', timestamp: '2023-03-10T12:01:00Z' }]);
    const done = await episodes.complete(march.id, {
      status: 'completed',
      completedAt: '2023-03-10T12:30:00Z',
    });
    const may = await episodes.start({
      ...base,
      context: 'deploy failed: disk full',
      createdAt: '2023-05-01T08:00:00Z',
    });
    await episodes.complete(may.id, { status: 'completed', completedAt: '2023-05-01T09:00:00Z' });

    expect([march.createdAt, done.completedAt]).toEqual([
      '2023-03-10T12:00:00.000Z',
      '2023-03-10T12:30:00.000Z',
    ]);
    expect((await episodes.get(march.id))?.steps[0]?.timestamp).toBe('2023-03-10T12:01:00.000Z');
    const inMarch = await episodes.list({ since: '2023-03-01T00:00:00Z', until: '2023-04-01T00:00:00Z' });
    expect(inMarch.items.map((episode) => episode.id)).toEqual([march.id]);

    const found = await search.retrieve({ text: 'deploy failed on 2023-03-10', at: '2023-06-01T00:00:00Z' });
    const why = new Map(found.episodes.map((hit) => [hit.episode.id, hit.why]));
    expect(why.get(march.id)?.time).not.toBeNull();
    expect(why.get(may.id)?.time).toBeNull();
    expect(why.get(march.id)?.recency.ageDays).toBeCloseTo(
      (Date.parse('2023-06-01') - Date.parse(march.createdAt)) / day,
      3,
    );
    expect(found.episodes[0]?.episode.id).toBe(march.id);
  });

  it('refuses a start in the future with the field path and writes nothing; a clock a little fast is not an error', async () => {
    const { episodes } = store.memory;
    const tomorrow = new Date(Date.now() + day).toISOString();
    const error = await failure(episodes.start({ ...base, createdAt: tomorrow }));
    expect(EpisodicError.isInstance(error) && error.code).toBe('VALIDATION');
    expect(error?.message).toMatch(/createdAt: must not be in the future/u);
    expect((await episodes.list({})).items).toEqual([]);

    // A minute ahead: accepted, and completing it now does not end it before it began.
    const ahead = new Date(Date.now() + 60_000).toISOString();
    const started = await episodes.start({ ...base, createdAt: ahead });
    const completed = await episodes.complete(started.id, { status: 'completed' });
    expect(completed.completedAt).toBe(ahead);
    // Nor does archiving one still active, which ends it too.
    const archived = await episodes.archive((await episodes.start({ ...base, createdAt: ahead })).id);
    expect(archived.completedAt).toBe(ahead);
  });

  it('refuses a step dated in the future with the field path and writes none of its batch', async () => {
    const { episodes } = store.memory;
    const started = await episodes.start(base);
    const tomorrow = new Date(Date.now() + day).toISOString();
    const error = await failure(
      episodes.logSteps(started.id, [{ action: 'run_tests' }, { action: 'deploy', timestamp: tomorrow }]),
    );
    expect(EpisodicError.isInstance(error) && error.code).toBe('VALIDATION');
    expect(error?.message).toMatch(/steps\.1\.timestamp: must not be in the future/u);
    expect((await episodes.get(started.id))?.steps).toEqual([]);
  });

  it('refuses an end before the start with the field path, and leaves the episode active', async () => {
    const { episodes } = store.memory;
    const started = await episodes.start({ ...base, createdAt: '2024-01-02T00:00:00Z' });
    const error = await failure(
      episodes.complete(started.id, { status: 'completed', completedAt: '2024-01-01T00:00:00Z' }),
    );
    expect(EpisodicError.isInstance(error) && error.code).toBe('VALIDATION');
    expect(error?.issues).toEqual([expect.objectContaining({ path: 'completedAt' })]);
    expect(error?.message).toMatch(/before the episode began \(2024-01-02T00:00:00\.000Z\)/u);
    expect((await episodes.get(started.id))?.status).toBe('active');

    const completed = await episodes.complete(started.id, {
      status: 'failed',
      completedAt: '2024-01-02T00:05:00Z',
    });
    expect([completed.status, completed.completedAt]).toEqual(['failed', '2024-01-02T00:05:00.000Z']);
  });

  it('takes both times in episodes.record: a record that contradicts itself writes none of the call, a later part is raised to the start', async () => {
    const { episodes } = store.memory;
    await episodes.record([
      {
        ...base,
        id: id(1),
        createdAt: '2022-07-01T10:00:00Z',
        outcome: { status: 'completed', completedAt: '2022-07-01T10:05:00Z' },
      },
    ]);
    const stored = await episodes.get(id(1));
    expect([stored?.createdAt, stored?.completedAt]).toEqual([
      '2022-07-01T10:00:00.000Z',
      '2022-07-01T10:05:00.000Z',
    ]);

    const error = await failure(
      episodes.record([
        { ...base, id: id(2), createdAt: '2022-07-01T10:00:00Z', steps: [{ action: 'a' }] },
        {
          ...base,
          id: id(3),
          createdAt: '2022-07-01T10:00:00Z',
          outcome: { status: 'completed', completedAt: '2022-06-30T00:00:00Z' },
        },
      ]),
    );
    expect(EpisodicError.isInstance(error) && error.code).toBe('VALIDATION');
    expect(error?.issues).toEqual([expect.objectContaining({ path: '1.outcome.completedAt' })]);
    for (const n of [2, 3]) expect(await episodes.get(id(n))).toBeNull();

    // Parts of one episode (an exporter's batches): the end a later part gives is before the start
    // an earlier part stored. It is raised to that start rather than losing the part.
    await episodes.record([
      { ...base, id: id(4), createdAt: '2022-07-01T10:00:00Z', steps: [{ action: 'a' }] },
    ]);
    await episodes.record([
      { ...base, id: id(4), outcome: { status: 'completed', completedAt: '2022-07-01T09:00:00Z' } },
    ]);
    const parts = await episodes.get(id(4));
    expect([parts?.status, parts?.completedAt, parts?.steps.length]).toEqual([
      'completed',
      '2022-07-01T10:00:00.000Z',
      1,
    ]);
  });
});
