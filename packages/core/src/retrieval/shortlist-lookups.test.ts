import type { ResultSet } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingDatabase } from '../__fixtures__/recording-database.js';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { SqlFilter } from '../db/sql-filter.js';
import { toFtsQuery } from '../search/fts-query.js';
import { byRank } from './ranked-rows.js';
import { Shortlists } from './shortlists.js';
import { type StepRow, stepRanking } from './step-ranking.js';
import { docsSource, episodeRanking } from './text-candidates.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
const query = toFtsQuery('deadlock') as string;
const fields = { context: 1, steps: 1 };

beforeAll(async () => {
  store = await openTempMemory();
  // 48 episodes in two domains, each with three steps that say "deadlock" 1–3 times among other words.
  for (let i = 0; i < 48; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: i % 2 === 0 ? 'even' : 'odd',
      context: `deadlock ${'in worker '.repeat((i % 4) + 1)}${i}`,
    });
    await store.memory.episodes.logSteps(
      episode.id,
      [0, 1, 2].map((k) => ({
        action: `inspect ${'deadlock '.repeat(((i + k) % 3) + 1)}lock order`,
        result: `step ${k} of ${i}${' noise'.repeat(i % 5)}`,
      })),
    );
  }
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

/** The step ranking as one statement that maps every shortlisted row (what `stepRanking` must equal). */
async function everyRowMapped(where: SqlFilter, limit: number): Promise<StepRow[]> {
  const size = limit * 4;
  const result = await db.read({
    sql: `WITH f AS (SELECT rowid, bm25(steps_fts) AS rank FROM steps_fts WHERE steps_fts MATCH ? ORDER BY 2 LIMIT ?),
      kept AS (SELECT rowid, rank FROM f LIMIT ?),
      ranked AS (SELECT e.id AS episode_id, kept.rank, s.step_number,
          row_number() OVER (PARTITION BY e.id ORDER BY kept.rank, kept.rowid) AS nth
        FROM kept CROSS JOIN steps s ON s.rowid = kept.rowid CROSS JOIN episodes e ON e.id = s.episode_id
        WHERE ${where.sql})
      SELECT episode_id, rank, step_number FROM ranked WHERE nth = 1`,
    args: [query, size + 1, size, ...where.args],
  });
  return result.rows
    .map((row) => ({
      episodeId: String(row.episode_id),
      rank: Number(row.rank),
      stepNumber: Number(row.step_number),
    }))
    .sort(byRank)
    .slice(0, limit);
}

/** The whole-episode ranking from the first 4 × `limit` rows, each looked up in one statement. */
async function everyDocLookedUp(where: SqlFilter, limit: number): Promise<string[]> {
  const size = limit * 4;
  const result = await db.read({
    sql: `WITH f AS (SELECT rowid, bm25(episode_docs_fts, 1, 1) AS rank FROM episode_docs_fts
        WHERE episode_docs_fts MATCH ? ORDER BY 2 LIMIT ?)
      SELECT f.rank, CASE WHEN e.rowid IS NOT NULL AND (${where.sql}) THEN e.id END AS episode_id
      FROM f LEFT JOIN episodes e NOT INDEXED ON e.rowid = f.rowid`,
    args: [query, size + 1, ...where.args],
  });
  return result.rows
    .slice(0, size)
    .filter((row) => row.episode_id !== null)
    .map((row) => ({ episodeId: String(row.episode_id), rank: Number(row.rank) }))
    .sort(byRank)
    .slice(0, limit)
    .map((row) => row.episodeId);
}

const recording = (reads: [string, ResultSet][]) => recordingDatabase(db, reads);

const filters: [string, () => SqlFilter][] = [
  ['no filter', () => new SqlFilter()],
  ['one domain', () => new SqlFilter().when('e.domain = ?', 'odd')],
  ['a scoped caller', () => new SqlFilter().scope('e.domain', { domains: ['even'] })],
];

describe('shortlist look-ups', () => {
  it('map only the first step rows to episodes when they settle the ranking', async () => {
    const reads: [string, ResultSet][] = [];
    const ranked = await stepRanking(new Shortlists(recording(reads), new SqlFilter()), query, 8, true);
    expect(ranked).toEqual(await everyRowMapped(new SqlFilter(), 8));
    // 32 rows shortlisted, 10 mapped (8 × 1.25): one statement, and 22 rows come back unmapped.
    expect(reads).toHaveLength(1);
    const rows = reads[0]?.[1].rows ?? [];
    expect(rows.filter((row) => row.episode_id !== null).length).toBeLessThanOrEqual(10);
    expect(rows.filter((row) => row.episode_id === null)).toHaveLength(22);
  });

  it('map the rest of the rows when the first cannot settle the ranking', async () => {
    const reads: [string, ResultSet][] = [];
    const where = () => new SqlFilter().when('e.domain = ?', 'odd');
    const shortlists = new Shortlists(recording(reads), where());
    expect(await stepRanking(shortlists, query, 8, true)).toEqual(await everyRowMapped(where(), 8));
    expect(await episodeRanking(shortlists, query, 8, fields)).toEqual(await everyDocLookedUp(where(), 8));
    // About half of the first rows pass the filter: each ranking looks up its other rows once.
    expect(reads.filter(([sql]) => sql.includes('json_each'))).toHaveLength(2);
  });

  it('look up every row with its shortlist under filters the caller chose', async () => {
    const reads: [string, ResultSet][] = [];
    const where = () => new SqlFilter().when('e.domain = ?', 'odd');
    const shortlists = new Shortlists(recording(reads), where(), true);
    expect(await stepRanking(shortlists, query, 8, true)).toEqual(await everyRowMapped(where(), 8));
    expect(await episodeRanking(shortlists, query, 8, fields)).toEqual(await everyDocLookedUp(where(), 8));
    expect(reads.map(([sql]) => sql.includes('json_each'))).toEqual([false, false]);
  });

  it('look up the whole-episode rows after the first only when a ranking needs them', async () => {
    const reads: [string, ResultSet][] = [];
    const shortlists = new Shortlists(recording(reads), new SqlFilter());
    const top = await shortlists.get(docsSource(fields), query, 32);
    expect(top.rows.filter((row) => row.episodeId !== undefined)).toHaveLength(10);
    expect(await episodeRanking(shortlists, query, 8, fields)).toHaveLength(8);
    expect(reads).toHaveLength(1);
  });

  it.each(filters)('rank steps as when every row is mapped: %s', async (_name, where) => {
    for (const limit of [1, 3, 8, 20]) {
      for (const manyEpisodes of [true, false]) {
        const ranked = await stepRanking(new Shortlists(db, where()), query, limit, manyEpisodes);
        expect(ranked, `limit ${limit}`).toEqual(await everyRowMapped(where(), limit));
      }
    }
  });

  it.each(filters)('rank whole episodes as when every row is looked up: %s', async (_name, where) => {
    for (const limit of [1, 3, 8, 20]) {
      const lazy = await episodeRanking(new Shortlists(db, where()), query, limit, fields);
      expect(lazy, `limit ${limit}`).toEqual(await everyDocLookedUp(where(), limit));
    }
  });
});
