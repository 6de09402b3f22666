import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientTestServer, rejection, startTestServer } from './__fixtures__/test-server.js';

/**
 * An episode's steps through the real client: `get` answers the first page with the count and a
 * cursor, `episodes.steps` the rest. A page is bounded in steps and in text, so an episode of
 * thousands of large results is read in pieces a client can hold rather than in one answer.
 */
let t: ClientTestServer;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxPageSize: 40, maxStepCharsPerPage: 1_000_000 } });
});
afterAll(async () => {
  await t.close();
});

describe('episodes.steps', () => {
  it('pages a long episode of large results: get gives the first page, steps the rest, in order', async () => {
    const admin = t.client(t.adminToken);
    const { id } = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    // 100 steps of 50,000 characters (5 MB): 19 fit in a 1,000,000-character page.
    for (let batch = 0; batch < 5; batch += 1)
      await admin.episodes.logSteps.mutate({
        episodeId: id,
        steps: Array.from({ length: 20 }, (_, i) => ({
          action: `step ${batch * 20 + i + 1}`,
          result: String.fromCharCode(97 + ((batch * 20 + i) % 26)).repeat(50_000),
        })),
      });

    const episode = await admin.episodes.get.query({ episodeId: id });
    expect(episode.stepCount).toBe(100);
    expect(episode.steps).toHaveLength(19);
    const pages = [episode.steps];
    let cursor = episode.nextStepsCursor;
    while (cursor !== null) {
      const page = await admin.episodes.steps.query({ episodeId: id, cursor });
      pages.push(page.items);
      cursor = page.nextCursor;
    }
    expect(pages.map((page) => page.length)).toEqual([19, 19, 19, 19, 19, 5]);
    const steps = pages.flat();
    expect(steps.map((step) => step.action)).toEqual(Array.from({ length: 100 }, (_, i) => `step ${i + 1}`));
    expect(steps.every((step, i) => step.result === String.fromCharCode(97 + (i % 26)).repeat(50_000))).toBe(
      true,
    );

    // A smaller page on request, from the first step.
    const first = await admin.episodes.steps.query({ episodeId: id, limit: 3 });
    expect(first.items.map((step) => step.stepNumber)).toEqual([1, 2, 3]);
    expect(first.nextCursor).not.toBeNull();

    // A step named elsewhere (a retrieval's why), read by number on the fifth page.
    const named = await admin.episodes.steps.query({ episodeId: id, fromStep: 90, limit: 2 });
    expect(named.items.map((step) => step.action)).toEqual(['step 90', 'step 91']);
    const after = await admin.episodes.steps.query({ episodeId: id, cursor: named.nextCursor ?? '' });
    expect(after.items.map((step) => step.stepNumber)).toEqual(Array.from({ length: 9 }, (_, i) => 92 + i));
  });

  it('refuses a foreign cursor, a page above maxPageSize and a cursor with fromStep by field, and a token without read', async () => {
    const admin = t.client(t.adminToken);
    const { id } = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    const badCursor = await rejection(admin.episodes.steps.query({ episodeId: id, cursor: 'abc' }));
    expect(badCursor.data?.code).toBe('BAD_REQUEST');
    expect(badCursor.message).toContain('cursor');
    const tooMany = await rejection(admin.episodes.steps.query({ episodeId: id, limit: 41 }));
    expect(tooMany.data?.code).toBe('BAD_REQUEST');
    expect(tooMany.message).toContain('limit');
    const first = await admin.episodes.steps.query({ episodeId: id, limit: 1 });
    const both = await rejection(
      admin.episodes.steps.query({ episodeId: id, cursor: first.nextCursor ?? 'x', fromStep: 2 }),
    );
    expect(both.data?.code).toBe('BAD_REQUEST');
    expect(both.message).toContain('fromStep');
    const writer = t.client(await t.token({ name: 'writer', scopes: ['write'] }));
    expect((await rejection(writer.episodes.steps.query({ episodeId: id }))).data?.code).toBe('FORBIDDEN');
  });
});
