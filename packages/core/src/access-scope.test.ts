import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from './__fixtures__/temp-store.js';
import type { Episode } from './types.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let mine: Episode;
let theirs: Episode;
const onlyA = { scope: { domains: ['team-a'] } };
const nobody = { scope: { domains: [] } };

beforeAll(async () => {
  store = await openTempMemory();
  mine = await store.memory.episodes.start({
    taskType: 'debugging',
    domain: 'team-a',
    context: 'shared secret word',
  });
  theirs = await store.memory.episodes.start({
    taskType: 'debugging',
    domain: 'team-b',
    context: 'shared secret word',
  });
  for (const episode of [mine, theirs]) {
    await store.memory.episodes.logStep(episode.id, {
      action: 'grep',
      result: 'ECONNRESET from shared upstream',
    });
  }
  const raw = createClient({ url: store.url });
  await raw.execute(`INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate)
                     VALUES ('pa', 'tool_sequence', 'team-a', '{}', 0.9), ('pb', 'tool_sequence', 'team-b', '{}', 0.9)`);
  raw.close();
});
afterAll(() => store.close());

describe('access scope, enforced in SQL', () => {
  it('getEpisode never returns another domain’s episode', async () => {
    expect(await store.memory.episodes.get(mine.id, onlyA)).toMatchObject({ id: mine.id });
    expect(await store.memory.episodes.get(theirs.id, onlyA)).toBeNull();
    expect(await store.memory.episodes.get(mine.id, nobody)).toBeNull();
  });

  it('listEpisodes returns only in-scope rows, even when asked for another domain', async () => {
    expect((await store.memory.episodes.list({}, onlyA)).items.map((e) => e.id)).toEqual([mine.id]);
    expect((await store.memory.episodes.list({ domain: 'team-b' }, onlyA)).items).toEqual([]);
    expect((await store.memory.episodes.list({}, nobody)).items).toEqual([]);
  });

  it('searchText matches only in-scope episodes and steps', async () => {
    for (const text of ['secret', 'ECONNRESET']) {
      const hits = await store.memory.search.text({ text }, onlyA);
      expect(hits.map((hit) => hit.episode.id)).toEqual([mine.id]);
      expect(await store.memory.search.text({ text, domain: 'team-b' }, onlyA)).toEqual([]);
    }
  });

  it('patterns of another domain are invisible', async () => {
    expect((await store.memory.patterns.list({}, onlyA)).items.map((p) => p.id)).toEqual(['pa']);
    expect(await store.memory.patterns.get('pb', onlyA)).toBeNull();
    expect((await store.memory.patterns.list({}, nobody)).items).toEqual([]);
  });

  it('writes outside the scope are refused and change nothing', async () => {
    await expect(
      store.memory.episodes.start({ taskType: 'testing', domain: 'team-b' }, onlyA),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(store.memory.episodes.logStep(theirs.id, { action: 'x' }, onlyA)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      store.memory.episodes.complete(theirs.id, { status: 'completed' }, onlyA),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.memory.episodes.archive(theirs.id, onlyA)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await store.memory.episodes.get(theirs.id)).toMatchObject({
      status: 'active',
      steps: [{ action: 'grep' }],
    });
  });
});
