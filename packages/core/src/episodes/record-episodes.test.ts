import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

const id = (n: number) => `00000000-0000-8000-8000-${String(n).padStart(12, '0')}`;
const base = { taskType: 'debugging', domain: 'web' } as const;

describe('episodes.record', () => {
  it('writes a whole episode with its own id, steps in order and outcome, in one call', async () => {
    const [recorded] = await store.memory.episodes.record([
      {
        ...base,
        id: id(1),
        context: 'checkout fails',
        steps: [
          { id: id(101), action: 'run_tests', success: false, result: 'TypeError' },
          { id: id(102), action: 'edit_file', success: true },
        ],
        outcome: { status: 'failed' },
      },
    ]);
    expect(recorded?.lateSteps).toBe(0);
    const episode = await store.memory.episodes.get(id(1));
    expect([episode?.status, episode?.successRate, episode?.context]).toEqual([
      'failed',
      0,
      'checkout fails',
    ]);
    expect(episode?.steps.map((step) => [step.stepNumber, step.id, step.action])).toEqual([
      [1, id(101), 'run_tests'],
      [2, id(102), 'edit_file'],
    ]);
  });

  it('assembles an episode from parts: steps first, the task and outcome later; a retry stores nothing twice', async () => {
    await store.memory.episodes.record([{ ...base, id: id(2), steps: [{ id: id(201), action: 'search' }] }]);
    expect((await store.memory.episodes.get(id(2)))?.status).toBe('active');
    const last = {
      ...base,
      id: id(2),
      context: 'the task, from the root span',
      metadata: { traceId: 'abc' },
      steps: [{ id: id(202), action: 'deploy' }],
      outcome: { status: 'completed' as const },
    };
    await store.memory.episodes.record([last]);
    const [retry] = await store.memory.episodes.record([last]);
    const [late] = await store.memory.episodes.record([
      { ...base, id: id(2), metadata: { overwritten: true }, steps: [{ id: id(203), action: 'late' }] },
    ]);
    expect([retry?.lateSteps, late?.lateSteps]).toEqual([0, 1]);
    const episode = await store.memory.episodes.get(id(2));
    expect([episode?.status, episode?.context, episode?.metadata]).toEqual([
      'completed',
      'the task, from the root span',
      { traceId: 'abc' },
    ]);
    expect(episode?.steps.map((step) => step.action)).toEqual(['search', 'deploy']);
  });

  it('takes the task type of a later part while the episode is active, and keeps it once it has finished', async () => {
    await store.memory.episodes.record([
      { ...base, taskType: 'analysis', id: id(3), steps: [{ action: 'grep' }] },
    ]);
    await store.memory.episodes.record([{ ...base, id: id(3), outcome: { status: 'completed' } }]);
    await store.memory.episodes.record([{ ...base, taskType: 'testing', id: id(3) }]);
    expect((await store.memory.episodes.get(id(3)))?.taskType).toBe('debugging');
  });

  it('answers a retry of a finished episode with its steps as stored, as it answers one of an active episode', async () => {
    const whole = {
      ...base,
      id: id(40),
      steps: [
        { id: id(401), action: 'search' },
        { id: id(402), action: 'edit' },
      ],
      outcome: { status: 'completed' as const },
    };
    const [first] = await store.memory.episodes.record([whole]);
    const [retry] = await store.memory.episodes.record([
      { ...whole, steps: [...whole.steps, { id: id(403), action: 'late' }] },
    ]);
    expect(retry?.steps).toEqual(first?.steps);
    expect(retry?.lateSteps).toBe(1);
  });

  it('says when an outcome came after the episode ended otherwise, and keeps the first end', async () => {
    const createdAt = '2026-01-02T03:00:00.000Z';
    const ended = {
      ...base,
      id: id(41),
      createdAt,
      outcome: { status: 'failed' as const, successRate: 0.25 },
    };
    const [first] = await store.memory.episodes.record([ended]);
    // The same outcome again is a retry, and so is one giving the rate its status implies.
    const [retry] = await store.memory.episodes.record([ended]);
    const [other] = await store.memory.episodes.record([{ ...ended, outcome: { status: 'completed' } }]);
    const [rate] = await store.memory.episodes.record([{ ...ended, outcome: { status: 'failed' } }]);
    // An end before the start (exporters' clocks disagree) is stored raised to the start.
    await store.memory.episodes.record([{ ...base, id: id(42), createdAt }]);
    const raised = {
      ...base,
      id: id(42),
      outcome: { status: 'failed' as const, completedAt: '2026-01-01T00:00:00Z' },
    };
    await store.memory.episodes.record([raised]);
    const [raisedAgain] = await store.memory.episodes.record([raised]);
    const [implied] = await store.memory.episodes.record([
      { ...raised, outcome: { ...raised.outcome, successRate: 0 } },
    ]);
    expect([first, retry, other, rate, raisedAgain, implied].map((entry) => entry?.lateOutcome)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(await store.memory.episodes.get(id(41))).toMatchObject({ status: 'failed', successRate: 0.25 });
    await store.memory.episodes.archive(id(41));
    const [archived] = await store.memory.episodes.record([ended]);
    expect([archived?.lateOutcome, archived?.episode.status]).toEqual([true, 'archived']);
  });

  it('writes nothing when one record is refused', async () => {
    const scope = { domains: ['web'] };
    const records = [
      { ...base, id: id(3), steps: [{ action: 'a' }] },
      { ...base, domain: 'billing', id: id(4) },
    ];
    await expect(store.memory.episodes.record(records, { scope })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await store.memory.episodes.record([{ ...base, domain: 'billing', id: id(5) }]);
    await expect(
      store.memory.episodes.record(
        [
          { ...base, id: id(6) },
          { ...base, id: id(5) },
        ],
        { scope },
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      store.memory.episodes.record([
        { ...base, id: id(7) },
        { ...base, id: id(5) },
      ]),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      // The field at fault, as a step id's conflict has (`1.steps.0.id`).
      issues: [{ path: '1.domain', message: 'the episode is in domain "billing"' }],
    });
    for (const n of [3, 4, 6, 7]) expect(await store.memory.episodes.get(id(n))).toBeNull();
  });

  it("answers a record naming a domain outside the caller's scope alike, whether or not its id is taken there", async () => {
    const scope = { domains: ['web'] };
    await store.memory.episodes.record([{ ...base, domain: 'billing', id: id(8) }]);
    const answer = (n: number) =>
      store.memory.episodes
        .record([{ ...base, domain: 'billing', id: id(n) }], { scope })
        .catch((error: EpisodicError) => ({ code: error.code, message: error.message }));
    const forbidden = { code: 'FORBIDDEN', message: 'This caller may not write to domain "billing".' };
    expect([await answer(8), await answer(9)]).toEqual([forbidden, forbidden]);
    expect(await store.memory.episodes.get(id(9))).toBeNull();
  });

  it('refuses bad input with the field path', async () => {
    const error = await store.memory.episodes
      .record([{ ...base, id: 'not-a-uuid', steps: [{ action: '' }] }])
      .catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error) && error.code).toBe('VALIDATION');
    expect((error as Error).message).toMatch(/0\.id/u);
    expect((error as Error).message).toMatch(/0\.steps\.0\.action/u);
  });

  it('names the record of a step id sent twice in its steps, and writes nothing', async () => {
    const twice = [
      { id: id(301), action: 'search' },
      { id: id(301), action: 'search again' },
    ];
    const error = await store.memory.episodes
      .record([
        { ...base, id: id(30), steps: [{ action: 'a' }] },
        { ...base, id: id(31), steps: twice },
      ])
      .catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error) && [error.code, error.issues]).toEqual([
      'VALIDATION',
      [{ path: '1.steps.1.id', message: 'repeats the id of steps.0' }],
    ]);
    expect(await store.memory.episodes.get(id(30))).toBeNull();
  });

  it('names the record and step of a step id another episode holds, and writes nothing', async () => {
    await store.memory.episodes.record([{ ...base, id: id(40), steps: [{ id: id(401), action: 'build' }] }]);
    const error = await store.memory.episodes
      .record([
        { ...base, id: id(41), steps: [{ action: 'a' }] },
        { ...base, id: id(42), steps: [{ action: 'b' }, { id: id(401), action: 'deploy' }] },
      ])
      .catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error) && [error.code, error.issues]).toEqual([
      'CONFLICT',
      [{ path: '1.steps.1.id', message: 'already belongs to another episode: give the step another id' }],
    ]);
    expect(await store.memory.episodes.get(id(41))).toBeNull();
  });

  it('refuses a call over 10,000 steps in all, naming the record that passes the bound, and writes nothing', async () => {
    const steps = (n: number) => Array.from({ length: 1000 }, (_, i) => ({ action: `step ${n}.${i}` }));
    const records = Array.from({ length: 11 }, (_, n) => ({ ...base, id: id(1000 + n), steps: steps(n) }));
    const error = await store.memory.episodes.record(records).catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error) && error.code).toBe('VALIDATION');
    expect(EpisodicError.isInstance(error) && error.issues).toEqual([
      {
        path: '10.steps',
        message: 'brings the call to 11000 steps; at most 10000 in one call (send the records in several)',
      },
    ]);
    expect(await store.memory.episodes.get(id(1000))).toBeNull();
    // The bound itself is accepted: ten records of 1,000 steps.
    const written = await store.memory.episodes.record(records.slice(0, 10));
    expect(written.reduce((sum, entry) => sum + entry.steps.length, 0)).toBe(10_000);
  });

  it('reads an id in capitals as the same UUID in lower case: one episode, reachable by either', async () => {
    const upper = 'ABCDEF01-2345-7ABC-8DEF-0123456789AB';
    const stepId = 'FEDCBA98-7654-7321-8FED-CBA987654321';
    const [recorded] = await store.memory.episodes.record([
      { ...base, id: upper, steps: [{ id: stepId, action: 'search' }] },
    ]);
    expect(recorded?.episode.id).toBe(upper.toLowerCase());
    // The retry in lower case is the same episode and the same step, not a second of each.
    await store.memory.episodes.record([
      { ...base, id: upper.toLowerCase(), steps: [{ id: stepId.toLowerCase(), action: 'search' }] },
    ]);
    expect((await store.memory.episodes.list({ domain: 'web' })).items.map((episode) => episode.id)).toEqual([
      upper.toLowerCase(),
    ]);
    // Read (and cached) through the capitals, then written through the lower case: no stale copy.
    expect((await store.memory.episodes.get(upper))?.steps.map((step) => step.id)).toEqual([
      stepId.toLowerCase(),
    ]);
    await store.memory.episodes.logStep(upper.toLowerCase(), { action: 'edit' });
    await store.memory.episodes.complete(upper, { status: 'completed' });
    const episode = await store.memory.episodes.get(upper);
    expect([episode?.id, episode?.status, episode?.steps.map((step) => step.action)]).toEqual([
      upper.toLowerCase(),
      'completed',
      ['search', 'edit'],
    ]);
  });
});
