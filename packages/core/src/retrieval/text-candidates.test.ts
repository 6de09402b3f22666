import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { SqlFilter } from '../db/sql-filter.js';
import { ftsPhrases, toFtsQuery } from '../search/fts-query.js';
import { selectPhrases } from './select-phrases.js';
import { textCandidates } from './text-candidates.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
const busy: string[] = [];
const quiet: string[] = [];

beforeAll(async () => {
  store = await openTempMemory();
  const { memory } = store;
  // 60 episodes in `busy` that match "deadlock" strongly, 3 in `quiet` that match it weakly.
  for (let i = 0; i < 60; i += 1) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'busy',
      context: `deadlock deadlock in worker ${i}`,
    });
    await memory.episodes.logSteps(episode.id, [
      { action: 'inspect', result: `deadlock detected in transaction ${i}` },
    ]);
    busy.push(episode.id);
  }
  for (let i = 0; i < 3; i += 1) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'quiet',
      context: `a long note that mentions a deadlock only once among many other words number ${i} about queues`,
    });
    quiet.push(episode.id);
  }
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

describe('full-text candidates', () => {
  it('rank like searchText when nothing is filtered (the shortlist path)', async () => {
    const query = toFtsQuery('deadlock worker') as string;
    const candidates = await textCandidates(db, query, new SqlFilter(), 10);
    const reference = await store.memory.search.text({ text: 'deadlock worker', limit: 10 });
    expect(candidates.map((c) => c.episodeId)).toEqual(reference.map((hit) => hit.episode.id));
    expect(candidates[0]?.bm25).toBeCloseTo(reference[0]?.score as number, 10);
  });

  it('still find the best filtered episodes when the shortlist holds none of them', async () => {
    const query = toFtsQuery('deadlock') as string;
    // limit 5: the shortlist (20 rows per table) is all `busy`; the filter wants `quiet`.
    const candidates = await textCandidates(db, query, new SqlFilter().when('e.domain = ?', 'quiet'), 5);
    expect(candidates.map((c) => c.episodeId).sort()).toEqual([...quiet].sort());
    const scoped = await textCandidates(
      db,
      query,
      new SqlFilter().scope('e.domain', { domains: ['quiet'] }),
      5,
    );
    expect(scoped.map((c) => c.episodeId).sort()).toEqual([...quiet].sort());
  });

  it('spend the row budget on the rarest words, always keeping one', async () => {
    const phrases = ftsPhrases('deadlock queues');
    // "deadlock" matches 60 contexts + 60 steps + 3 contexts; "queues" 3 contexts
    const tight = await selectPhrases(db, phrases, 10);
    expect(tight).toEqual({ kept: [['queues']], skipped: [['deadlock']] });
    expect(await selectPhrases(db, phrases, 1_000)).toEqual({
      kept: [['queues'], ['deadlock']],
      skipped: [],
    });
    expect(await selectPhrases(db, ftsPhrases('deadlock'), 1)).toEqual({ kept: [['deadlock']], skipped: [] });
  });
});
