import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { Step } from '../types.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;

beforeAll(async () => {
  // A small text budget, so pages of large results are quick to build.
  store = await openTempMemory({
    limits: { maxPageSize: 50, maxStepCharsPerPage: 200_000, maxResultChars: 300_000 },
  });
});
afterAll(() => store.close());

async function episodeWith(count: number, resultChars = 10, domain = 'web') {
  const episode = await store.memory.episodes.start({ taskType: 'debugging', domain });
  const steps = Array.from({ length: count }, (_, i) => ({
    action: `run ${i + 1}`,
    result: String(i % 10).repeat(resultChars),
  }));
  for (let i = 0; i < steps.length; i += 40)
    await store.memory.episodes.logSteps(episode.id, steps.slice(i, i + 40));
  return episode.id;
}

/** Every step, read as a user pages through them: `get`, then `steps` from its cursor. */
async function readAll(episodeId: string, limit?: number) {
  const first = await store.memory.episodes.get(episodeId);
  if (first === null) throw new Error('missing episode');
  const pages: Step[][] = [first.steps];
  let cursor = first.nextStepsCursor;
  while (cursor !== null) {
    const page = await store.memory.episodes.steps(episodeId, { cursor, ...(limit ? { limit } : {}) });
    if (page === null) throw new Error('episode vanished');
    pages.push(page.items);
    cursor = page.nextCursor;
  }
  return { first, pages };
}

describe('an episode’s steps, page by page', () => {
  it('answers a short episode whole, as before: every step, its count, no cursor', async () => {
    const id = await episodeWith(12);
    const episode = await store.memory.episodes.get(id);
    expect(episode?.steps.map((step) => step.action)).toEqual(
      Array.from({ length: 12 }, (_, i) => `run ${i + 1}`),
    );
    expect(episode?.stepCount).toBe(12);
    expect(episode?.nextStepsCursor).toBeNull();
    expect(await store.memory.episodes.steps(id)).toEqual({ items: episode?.steps, nextCursor: null });
  });

  it('gives a long episode’s first maxPageSize steps with its count, and the rest page by page', async () => {
    const id = await episodeWith(137);
    const { first, pages } = await readAll(id);
    expect(first.stepCount).toBe(137);
    expect(pages.map((page) => page.length)).toEqual([50, 50, 37]);
    const numbers = pages.flat().map((step) => step.stepNumber);
    expect(numbers).toEqual(Array.from({ length: 137 }, (_, i) => i + 1));

    const small = await readAll(id, 30);
    expect(small.pages.map((page) => page.length)).toEqual([50, 30, 30, 27]);
    expect(small.pages.flat()).toEqual(pages.flat());
  });

  it('ends a page before the step that would pass maxStepCharsPerPage, and always holds one step', async () => {
    // 60,000-character results: three fit in 200,000 characters, a fourth would not.
    const id = await episodeWith(10, 60_000);
    const { first, pages } = await readAll(id);
    expect(first.stepCount).toBe(10);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(pages.flat().map((step) => step.stepNumber)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(pages.flat().every((step) => step.result?.length === 60_000)).toBe(true);

    const huge = await episodeWith(2, 250_000);
    expect((await readAll(huge)).pages.map((page) => page.length)).toEqual([1, 1]);
  });

  it('keeps the count and the steps of one answer in agreement while steps are appended', async () => {
    // Default limits: a page of up to 500 steps is read in several queries, between which
    // another write can land.
    await using defaults = await openTempMemory();
    const { episodes } = defaults.memory;
    const episode = await episodes.start({ taskType: 'debugging', domain: 'web' });
    const batch = (n: number) => Array.from({ length: 40 }, (_, i) => ({ action: `batch ${n} step ${i}` }));
    for (let n = 0; n < 5; n += 1) await episodes.logSteps(episode.id, batch(n));
    const reads = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        n % 2 === 0 ? episodes.get(episode.id) : episodes.logSteps(episode.id, batch(n + 5)).then(() => null),
      ),
    );
    for (const read of reads.filter((answer) => answer !== null)) {
      expect(read.steps.length).toBe(read.stepCount);
      expect(read.steps.map((step) => step.stepNumber)).toEqual(
        Array.from({ length: read.stepCount }, (_, i) => i + 1),
      );
      expect(read.nextStepsCursor).toBeNull();
    }
  });

  it('answers null outside the caller’s domains, and audits each page as a read of the episode', async () => {
    const id = await episodeWith(3, 10, 'billing');
    expect(
      await store.memory.episodes.steps(id, {}, { scope: { domains: ['web'] }, actor: 'token-a' }),
    ).toBeNull();
    expect(
      (await store.memory.episodes.steps(id, {}, { scope: { domains: ['billing'] }, actor: 'token-b' }))
        ?.items,
    ).toHaveLength(3);
    expect(await store.memory.episodes.steps('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')).toBeNull();

    await store.memory.admin.flushAudit();
    const reads = await store.memory.admin.audit({ operation: 'read' });
    expect(
      reads
        .filter((entry) => entry.actor.startsWith('token-'))
        .map((entry) => [entry.actor, entry.entityType, entry.entityId, entry.domain, entry.outcome]),
    ).toEqual([
      ['token-a', 'episode', id, null, 'error'],
      ['token-b', 'episode', id, 'billing', 'ok'],
    ]);
  });

  it('starts at a named step (fromStep) on a later page, and pages on from there', async () => {
    const id = await episodeWith(137);
    const at = await store.memory.episodes.steps(id, { fromStep: 120, limit: 2 });
    expect(at?.items.map((step) => step.stepNumber)).toEqual([120, 121]);
    const rest = await store.memory.episodes.steps(id, { cursor: at?.nextCursor ?? undefined });
    expect(rest?.items.map((step) => step.stepNumber)).toEqual(Array.from({ length: 16 }, (_, i) => 122 + i));
    expect(rest?.nextCursor).toBeNull();
    expect(await store.memory.episodes.steps(id, { fromStep: 1 })).toEqual(
      await store.memory.episodes.steps(id),
    );
    expect(await store.memory.episodes.steps(id, { fromStep: 138 })).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a cursor it did not give, a limit above maxPageSize, a malformed id and a cursor with fromStep, by field', async () => {
    const id = await episodeWith(2);
    await expect(store.memory.episodes.steps(id, { cursor: 'nope' })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'cursor' }],
    });
    // Well formed, but no page ends on a step before the first, between two, or at 1e300.
    for (const key of [-5, 1.5, 1e300]) {
      const forged = Buffer.from(JSON.stringify([key])).toString('base64url');
      await expect(store.memory.episodes.steps(id, { cursor: forged })).rejects.toMatchObject({
        code: 'VALIDATION',
        message: 'Invalid episodes.steps input: cursor: is not a cursor returned by episodes.steps',
      });
    }
    await expect(store.memory.episodes.steps(id, { limit: 51 })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'limit' }],
    });
    await expect(store.memory.episodes.steps('not-an-id')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.memory.episodes.steps(id, { fromStep: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'fromStep' }],
    });
    const first = await store.memory.episodes.steps(id, { limit: 1 });
    await expect(
      store.memory.episodes.steps(id, { cursor: first?.nextCursor ?? undefined, fromStep: 2 }),
    ).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'fromStep' }] });
  });
});
