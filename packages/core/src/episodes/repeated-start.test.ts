import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

const id = (n: number) => `0190aaaa-0000-7000-8000-${String(n).padStart(12, '0')}`;
const start = {
  taskType: 'debugging',
  domain: 'web',
  context: 'checkout fails',
  metadata: { ticket: 'SHOP-1', tags: ['checkout'] },
} as const;

async function refusalOf(promise: Promise<unknown>): Promise<EpisodicError> {
  const error = await promise.catch((caught: unknown) => caught);
  if (!EpisodicError.isInstance(error)) throw new Error(`expected an EpisodicError, got ${String(error)}`);
  return error;
}

describe('episodes.start with a client-chosen id', () => {
  it('starts one episode when the same start is sent twice, and answers both with it', async () => {
    const first = await store.memory.episodes.start({ ...start, id: id(1) });
    // The retry of a start whose answer was lost: the same id (in capitals, still the same UUID).
    const again = await store.memory.episodes.start({ ...start, id: id(1).toUpperCase() });
    expect(first.id).toBe(id(1));
    expect(again).toEqual(first);
    expect((await store.memory.episodes.list({ domain: 'web' })).items.map((episode) => episode.id)).toEqual([
      id(1),
    ]);
    // Metadata is compared as data, not as text: the same keys in another order are the same start.
    const reordered = await store.memory.episodes.start({
      ...start,
      id: id(1),
      metadata: { tags: ['checkout'], ticket: 'SHOP-1' },
    });
    expect(reordered.id).toBe(id(1));
  });

  it('answers a start sent again later with the episode as it is now, steps and outcome kept', async () => {
    const createdAt = '2026-01-02T03:04:05.000Z';
    await store.memory.episodes.start({ ...start, id: id(2), createdAt });
    await store.memory.episodes.logStep(id(2), { action: 'run_tests' });
    await store.memory.episodes.complete(id(2), { status: 'completed' });
    const again = await store.memory.episodes.start({ ...start, id: id(2), createdAt });
    expect([again.id, again.status, again.createdAt]).toEqual([id(2), 'completed', createdAt]);
    expect((await store.memory.episodes.get(id(2)))?.steps.map((step) => step.action)).toEqual(['run_tests']);
  });

  it('refuses the id with other input as a CONFLICT naming each field that differs, and writes nothing', async () => {
    await store.memory.episodes.start({ ...start, id: id(3) });
    const error = await refusalOf(
      store.memory.episodes.start({ ...start, id: id(3), taskType: 'testing', context: undefined }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.issues.map((issue) => issue.path)).toEqual(['taskType', 'context']);
    expect(error.message).toMatch(/taskType: differs from the episode already started with this id/u);
    const stored = await store.memory.episodes.get(id(3));
    expect([stored?.taskType, stored?.context]).toEqual(['debugging', 'checkout fails']);
    const dated = await refusalOf(
      store.memory.episodes.start({ ...start, id: id(3), createdAt: '2020-01-01T00:00:00.000Z' }),
    );
    expect(dated.issues).toEqual([{ path: 'createdAt', message: expect.any(String) }]);
  });

  it('refuses the id of an episode outside the caller’s scope without a word of it, and audits a denial', async () => {
    const secret = 'zebracorn outage';
    await store.memory.episodes.start({ ...start, domain: 'billing', context: secret, id: id(4) });
    const scope = { domains: ['web'] };
    const error = await refusalOf(
      store.memory.episodes.start({ ...start, id: id(4) }, { scope, actor: 'token-web' }),
    );
    expect([error.code, error.issues]).toEqual([
      'CONFLICT',
      [{ path: 'id', message: 'is taken: start the episode with another id' }],
    ]);
    expect(error.message).not.toMatch(/billing|zebracorn/u);
    // In a domain it may not write, the caller is refused before the id is looked at.
    const guessed = await refusalOf(
      store.memory.episodes.start({ ...start, domain: 'billing', context: secret, id: id(4) }, { scope }),
    );
    expect(guessed.code).toBe('FORBIDDEN');
    await store.memory.admin.flushAudit();
    const denied = await store.memory.admin.audit({ outcome: 'denied', actor: 'token-web' });
    expect(denied.map((entry) => [entry.operation, entry.entityId, entry.domain])).toEqual([
      ['create', id(4), 'billing'],
    ]);
    expect((await store.memory.episodes.get(id(4)))?.context).toBe(secret);
  });

  it('starts a new episode under an id that was forgotten, in any domain, as record does', async () => {
    await store.memory.episodes.start({ ...start, id: id(5) });
    await store.memory.admin.forget({ episodeIds: [id(5)] });
    const reborn = await store.memory.episodes.start({ taskType: 'testing', domain: 'billing', id: id(5) });
    expect([reborn.id, reborn.domain, reborn.taskType]).toEqual([id(5), 'billing', 'testing']);
    expect((await store.memory.episodes.get(id(5)))?.domain).toBe('billing');
  });

  it('refuses an id that is not a UUID with its field path', async () => {
    const error = await refusalOf(store.memory.episodes.start({ ...start, id: 'episode-1' }));
    expect([error.code, error.issues]).toEqual(['VALIDATION', [{ path: 'id', message: 'must be a UUID' }]]);
  });
});
