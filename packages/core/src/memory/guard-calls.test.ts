import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';
import { maxScopeDomains } from '../schemas/call-options.js';
import type { CallOptions, Episode } from '../types.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let episode: Episode;

beforeAll(async () => {
  store = await openTempMemory();
  episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'a', context: 'hello' });
  await store.memory.episodes.get(episode.id);
});
afterAll(() => store.close());

async function refusal(call: Promise<unknown>): Promise<EpisodicError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(EpisodicError.isInstance(error), String(error)).toBe(true);
  return error as EpisodicError;
}

/** Options a JavaScript caller can pass where the types do not reach. */
const given = (options: unknown) => options as CallOptions;

describe('call options', () => {
  it('refuse a scope the SQL cannot apply as given, on a cache hit too, naming its path', async () => {
    // A string: the cached episode of domain `a` was answered, since 'team-a,b'.includes('a').
    const stringScope = given({ scope: { domains: 'team-a,b' } });
    for (const call of [
      store.memory.episodes.get(episode.id, stringScope),
      store.memory.episodes.getJson(episode.id, stringScope),
      store.memory.episodes.list({}, stringScope),
      store.memory.search.text({ text: 'hello' }, stringScope),
      store.memory.episodes.logSteps(episode.id, [{ action: 'x' }], stringScope),
    ]) {
      expect(await refusal(call)).toMatchObject({
        code: 'VALIDATION',
        issues: [{ path: 'options.scope.domains' }],
      });
    }
    expect(await refusal(store.memory.episodes.list({}, given(null)))).toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'options' }],
    });
    expect(await refusal(store.memory.patterns.list({}, given({ scope: {} })))).toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'options.scope.domains' }],
    });
    expect((await store.memory.episodes.get(episode.id))?.steps).toEqual([]);
  });

  it(`take at most ${maxScopeDomains} domains in a scope and an actor of 128 characters`, async () => {
    const domains = Array.from({ length: maxScopeDomains }, (_, i) => `d${i}`);
    const widest = { scope: { domains: [...domains.slice(1), 'a'] } };
    expect((await store.memory.episodes.list({}, widest)).items.map((item) => item.id)).toEqual([episode.id]);
    expect(await store.memory.search.retrieve({ text: 'hello' }, widest)).toMatchObject({
      episodes: [{ episode: { id: episode.id } }],
    });
    expect(await store.memory.episodes.logStep(episode.id, { action: 'x' }, widest)).toMatchObject({
      stepNumber: 1,
    });
    const tooWide = await refusal(store.memory.episodes.list({}, { scope: { domains: [...domains, 'a'] } }));
    expect(tooWide).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'options.scope.domains' }] });
    expect(await refusal(store.memory.patterns.relevant({}, { actor: 'x'.repeat(129) }))).toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'options.actor' }],
    });
  });

  it('are refused with what happened once the store is closed', async () => {
    const closing = await openTempMemory();
    await closing.close();
    for (const call of [
      closing.memory.episodes.start({ taskType: 'debugging', domain: 'a' }),
      closing.memory.episodes.list(),
      closing.memory.learning.status(),
    ]) {
      const error = await refusal(call);
      expect(error).toMatchObject({ code: 'STORAGE' });
      expect(error.message).toMatch(/store is closed \(memory\.close\(\) was called\)/);
    }
  });
});
