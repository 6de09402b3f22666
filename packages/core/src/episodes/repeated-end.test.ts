import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

async function refusalOf(promise: Promise<unknown>): Promise<EpisodicError> {
  const error = await promise.catch((caught: unknown) => caught);
  if (!EpisodicError.isInstance(error)) throw new Error(`expected an EpisodicError, got ${String(error)}`);
  return error;
}

const begin = () => store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });

describe('an end sent again (its answer was lost)', () => {
  it('answers a completion sent again with the episode as the first left it, and changes nothing', async () => {
    const episode = await begin();
    const first = await store.memory.episodes.complete(episode.id, { status: 'completed', successRate: 0.8 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await store.memory.episodes.complete(episode.id, { status: 'completed', successRate: 0.8 });
    // Not completed a second time: the end stays the first one's, not the retry's "now".
    expect(again).toEqual(first);
    expect((await store.memory.episodes.get(episode.id))?.completedAt).toBe(first.completedAt);

    // The rate a status implies counts as given: `failed` alone is `failed` at 0.
    const failed = (await begin()).id;
    await store.memory.episodes.complete(failed, { status: 'failed' });
    expect(await store.memory.episodes.complete(failed, { status: 'failed', successRate: 0 })).toMatchObject({
      id: failed,
      status: 'failed',
      successRate: 0,
    });
    // An end time given is compared too: the same one is the same completion.
    const { id: dated } = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      createdAt: '2026-01-02T03:00:00.000Z',
    });
    // Written another way than it is stored: the same instant is the same end.
    const completedAt = '2026-01-02T04:00:00+00:00';
    await store.memory.episodes.complete(dated, { status: 'completed', completedAt });
    expect((await store.memory.episodes.complete(dated, { status: 'completed', completedAt })).id).toBe(
      dated,
    );
  });

  it('refuses a completion that differs as a CONFLICT naming each field, and keeps the first outcome', async () => {
    const episode = await begin();
    const first = await store.memory.episodes.complete(episode.id, { status: 'completed', successRate: 0.8 });
    const error = await refusalOf(store.memory.episodes.complete(episode.id, { status: 'failed' }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('is completed');
    expect(error.issues.map((issue) => issue.path)).toEqual(['status', 'successRate']);
    const rate = await refusalOf(
      store.memory.episodes.complete(episode.id, { status: 'completed', successRate: 0.5 }),
    );
    expect(rate.issues.map((issue) => issue.path)).toEqual(['successRate']);
    const later = await refusalOf(
      store.memory.episodes.complete(episode.id, {
        status: 'completed',
        successRate: 0.8,
        completedAt: new Date(),
      }),
    );
    expect(later.issues.map((issue) => issue.path)).toEqual(['completedAt']);
    expect(await store.memory.episodes.get(episode.id)).toMatchObject({
      status: 'completed',
      successRate: 0.8,
      completedAt: first.completedAt,
    });
  });

  it('answers an archive sent again with the archived episode, and still refuses to complete it', async () => {
    const episode = await begin();
    await store.memory.episodes.complete(episode.id, { status: 'completed', successRate: 0.5 });
    const archived = await store.memory.episodes.archive(episode.id);
    expect(await store.memory.episodes.archive(episode.id)).toEqual(archived);
    const error = await refusalOf(store.memory.episodes.complete(episode.id, { status: 'completed' }));
    expect([error.code, error.message]).toEqual([
      'CONFLICT',
      `Episode ${episode.id} is archived; it cannot be completed.`,
    ]);
  });

  it('tells a caller outside the domain nothing: NOT_FOUND, as for an episode that does not exist', async () => {
    const episode = await begin();
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
    await store.memory.episodes.archive((await begin()).id);
    const other = { scope: { domains: ['billing'] }, actor: 'token-b' };
    const completion = await refusalOf(
      store.memory.episodes.complete(episode.id, { status: 'completed' }, other),
    );
    expect(completion.code).toBe('NOT_FOUND');
    const archive = await refusalOf(store.memory.episodes.archive(episode.id, other));
    expect(archive.code).toBe('NOT_FOUND');
  });
});
