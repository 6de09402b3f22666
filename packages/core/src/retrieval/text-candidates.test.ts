import type { ResultSet } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingDatabase } from '../__fixtures__/recording-database.js';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { onStartedWorker } from '../__fixtures__/worker-reads.js';
import { type Database, openDatabase } from '../db/database.js';
import { SqlFilter } from '../db/sql-filter.js';
import { ftsPhrases, toFtsQuery } from '../search/fts-query.js';
import { selectPhrases } from './select-phrases.js';
import { ShortlistShortfalls, Shortlists } from './shortlists.js';
import { stepRanking } from './step-ranking.js';
import { TermCounts } from './term-counts.js';
import { episodeMatches, type FieldWeights, withBestSteps } from './text-candidates.js';

/** The full-text candidates as `retrieve` builds them: the whole-episode ranking, then each one's best step. */
async function textCandidates(
  shortlists: Shortlists,
  ftsQuery: string,
  stepsQuery: string,
  limit: number,
  weights: FieldWeights,
) {
  const episodes = await episodeMatches(shortlists, ftsQuery, limit, weights);
  return withBestSteps(episodes, await stepRanking(shortlists, stepsQuery, limit, episodes.length === limit));
}

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
const busy: string[] = [];
const quiet: string[] = [];
const fields = { context: 1, steps: 1 };
let spread = '';
let oneStep = '';
let twins = '';

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
  // The query's words spread over one episode's context and steps; another has most of them in one step.
  const whole = await memory.episodes.start({
    taskType: 'debugging',
    domain: 'ledger',
    context: 'payment gateway',
  });
  await memory.episodes.logSteps(whole.id, [
    { action: 'drain refund queue' },
    { action: 'ledger sync', result: 'ok' },
  ]);
  spread = whole.id;
  const single = await memory.episodes.start({ taskType: 'debugging', domain: 'ledger' });
  await memory.episodes.logSteps(single.id, [
    { action: 'payment gateway refund', result: 'done' },
    { action: 'idle' },
  ]);
  oneStep = single.id;
  // Two steps alike: the same rank for "flaky", so the episode's first is the one named.
  const alike = await memory.episodes.start({ taskType: 'debugging', domain: 'ci' });
  await memory.episodes.logSteps(alike.id, [
    { action: 'checkout' },
    { action: 'rerun flaky suite', result: 'passed' },
    { action: 'rerun flaky suite', result: 'passed' },
  ]);
  twins = alike.id;
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

describe('full-text candidates', () => {
  it('rank whole episodes: context and every step count, the best step is named', async () => {
    const query = toFtsQuery('payment gateway refund queue ledger sync') as string;
    const candidates = await textCandidates(new Shortlists(db, new SqlFilter()), query, query, 10, fields);
    expect(candidates.map((c) => c.episodeId)).toEqual([spread, oneStep]);
    expect(candidates[0]?.step).toMatchObject({ stepNumber: expect.any(Number), rank: expect.any(Number) });
    expect(candidates[1]?.step).toMatchObject({ stepNumber: 1, rank: 1 });
  });

  it('read each shortlist and its episodes in one statement per table', async () => {
    const reads: [string, ResultSet][] = [];
    const query = toFtsQuery('payment gateway refund queue ledger sync') as string;
    const candidates = await textCandidates(
      new Shortlists(recordingDatabase(db, reads), new SqlFilter()),
      query,
      query,
      10,
      fields,
    );
    expect(candidates.map((c) => c.episodeId)).toEqual([spread, oneStep]);
    // One for the whole episodes, one for the steps: no second statement maps rowids to episodes.
    expect(reads).toHaveLength(2);
  });

  it("name an episode's first step of those that rank alike, from one row per episode", async () => {
    const reads: [string, ResultSet][] = [];
    const query = toFtsQuery('flaky') as string;
    const [candidate] = await textCandidates(
      new Shortlists(recordingDatabase(db, reads), new SqlFilter()),
      query,
      query,
      10,
      fields,
    );
    expect(candidate).toMatchObject({ episodeId: twins, step: { stepNumber: 2, rank: 1 } });
    // Two of its steps match: they are ranked in SQL, and one row comes back.
    const stepRows = reads
      .filter(([sql]) => sql.includes('steps_fts'))
      .map(([, result]) => result.rows.length);
    expect(stepRows).toEqual([1]);
  });

  it('take the same episodes on the shortlist path as on the every-match path', async () => {
    const query = toFtsQuery('deadlock worker') as string;
    const fast = await textCandidates(new Shortlists(db, new SqlFilter()), query, query, 10, fields);
    // A filter every episode passes, that the shortlist cannot prove exact: forces the full path.
    const all = await textCandidates(
      new Shortlists(db, new SqlFilter().when("e.domain != 'none'")),
      query,
      query,
      70,
      fields,
    );
    expect(fast.map((c) => c.episodeId)).toEqual(all.slice(0, 10).map((c) => c.episodeId));
    expect(fast[0]?.bm25).toBeCloseTo(all[0]?.bm25 as number, 10);
  });

  it('still find the best filtered episodes when the shortlist holds none of them', async () => {
    const query = toFtsQuery('deadlock') as string;
    // limit 5: the shortlist (20 rows per table) is all `busy`; the filter wants `quiet`.
    const candidates = await textCandidates(
      new Shortlists(db, new SqlFilter().when('e.domain = ?', 'quiet')),
      query,
      query,
      5,
      fields,
    );
    expect(candidates.map((c) => c.episodeId).sort()).toEqual([...quiet].sort());
    const scoped = await textCandidates(
      new Shortlists(db, new SqlFilter().scope('e.domain', { domains: ['quiet'] })),
      query,
      query,
      5,
      fields,
    );
    expect(scoped.map((c) => c.episodeId).sort()).toEqual([...quiet].sort());
  });

  it('read every match at once for a while under filters whose shortlist fell short, ranking the same', async () => {
    const query = toFtsQuery('deadlock') as string;
    const shortfalls = new ShortlistShortfalls();
    const rank = async (filter: SqlFilter, narrowed = true) => {
      const reads: [string, ResultSet][] = [];
      const shortlists = new Shortlists(recordingDatabase(db, reads), filter, narrowed, shortfalls);
      const ranked = await episodeMatches(shortlists, query, 5, fields);
      return { ranked, statements: reads.length };
    };
    const quietOnly = () => new SqlFilter().when('e.domain = ?', 'quiet');
    // The shortlist (20 rows) is all `busy`: it is read, then every match.
    const first = await rank(quietOnly());
    expect(first.statements).toBe(2);
    expect(first.ranked.map((row) => row.episodeId).sort()).toEqual([...quiet].sort());
    // Other filters, and a ranking not said to be narrowed, still read their shortlist first
    // (more than the one statement of a skip: here `busy` episodes rank alike and it falls short too).
    expect((await rank(new SqlFilter().when('e.domain = ?', 'busy'))).statements).toBeGreaterThan(1);
    expect((await rank(quietOnly(), false)).statements).toBeGreaterThan(1);
    for (let i = 0; i < 16; i += 1) expect(await rank(quietOnly())).toEqual({ ...first, statements: 1 });
    // Then the shortlist is tried again, in case the filter's episodes came to fill it.
    expect(await rank(quietOnly())).toEqual(first);
    expect(await rank(quietOnly())).toEqual({ ...first, statements: 1 });
  });

  it('rank the same steps when the step ranking is read aside, as in a large store', async () => {
    const worker = await onStartedWorker(db);
    try {
      for (const words of ['deadlock', 'payment gateway refund queue ledger sync', 'flaky']) {
        const query = toFtsQuery(words) as string;
        for (const [limit, many] of [
          [10, true],
          [10, false],
          [2, true],
        ] as const) {
          const inline = await stepRanking(new Shortlists(db, new SqlFilter()), query, limit, many);
          const aside = await stepRanking(
            new Shortlists(worker.db, new SqlFilter()),
            query,
            limit,
            many,
            true,
          );
          expect(aside).toEqual(inline);
          expect(inline.length).toBeGreaterThan(0);
        }
      }
      expect(worker.sent()).toBeGreaterThanOrEqual(9);
    } finally {
      await worker.stop();
    }
  });

  it('spend the row budget on the rarest words, always keeping one', async () => {
    const phrases = ftsPhrases('queues worker');
    // "worker" matches 60 of the 63 episodes; "queues" 3 episodes
    const tight = await selectPhrases(new TermCounts(db), phrases, 10, 64);
    expect(tight).toMatchObject({ kept: [['queues']], skipped: [['worker']], mostDocs: 3 });
    expect(await selectPhrases(new TermCounts(db), phrases, 1_000, 64)).toMatchObject({
      kept: [['queues'], ['worker']],
      skipped: [],
    });
    // The budget of 1 row still keeps "deadlock", in 63 whole-episode documents.
    expect(await selectPhrases(new TermCounts(db), ftsPhrases('deadlock'), 1, 64)).toEqual({
      kept: [['deadlock']],
      skipped: [],
      forSteps: [['deadlock']],
      mostDocs: 63,
      // Every step stored so far.
      stepRows: 67,
    });
  });

  it('leave a word in at least half the steps out of the step query: BM25 gives it no weight there', async () => {
    // "deadlock" is in all 60 steps but 2 of 64; "detected" in 60 of them; "worker" in none
    expect(
      await selectPhrases(new TermCounts(db), ftsPhrases('deadlock worker detected'), 1_000, 64),
    ).toEqual({
      kept: [['worker'], ['detected'], ['deadlock']],
      skipped: [],
      forSteps: [['worker']],
      mostDocs: 63,
      stepRows: 67,
    });
  });

  it('keep the rarest words of a long query, wherever they stand in it', async () => {
    // 80 common words first (each in 10 episodes), the informative one last (in 3).
    const filler = Array.from({ length: 80 }, (_, i) => `filler${i}`).join(' ');
    for (let i = 0; i < 10; i += 1) {
      await store.memory.episodes.start({ taskType: 'debugging', domain: 'filler', context: filler });
    }
    const phrases = ftsPhrases(`${filler} queues`);
    expect(phrases).toHaveLength(81);
    const { kept, skipped } = await selectPhrases(new TermCounts(db), phrases, 5_000, 64);
    expect(kept[0]).toEqual(['queues']);
    expect(kept).toHaveLength(64);
    expect(skipped).toHaveLength(17);
  });
  it('count a word stored with half-width or full-width letters as the index holds it', async () => {
    // FTS5 keeps these as written; their NFKC forms ("エラー", "ECONN") are stored nowhere.
    await store.memory.episodes.start({ taskType: 'debugging', domain: 'widths', context: 'ｴﾗｰ ＥＣＯＮＮ' });
    const selected = await selectPhrases(new TermCounts(db), ftsPhrases('ｴﾗｰ ＥＣＯＮＮ'), 1_000, 64);
    expect(selected).toMatchObject({ kept: [['ｴﾗｰ'], ['ＥＣＯＮＮ'], ['エラー'], ['ECONN']], mostDocs: 1 });
  });
});
