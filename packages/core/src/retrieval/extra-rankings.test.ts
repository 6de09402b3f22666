import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { onStartedWorker } from '../__fixtures__/worker-reads.js';
import { type Database, openDatabase } from '../db/database.js';
import { SqlFilter } from '../db/sql-filter.js';
import { ftsPhrases, phrasesToFtsQuery } from '../search/fts-query.js';
import { expansionRanking } from './extra-rankings.js';
import { retrievalConfigSchema } from './retrieval-config.js';
import { Shortlists, type Source } from './shortlists.js';
import { TermCounts } from './term-counts.js';
import { episodeMatches, episodeRanking } from './text-candidates.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
// Expansion is off by default: these tests turn it on at the weight it had until session 26.
const settings = retrievalConfigSchema.parse({ weights: { expansion: 0.2 } });
const topics = [
  'kafka consumer lag',
  'postgres vacuum bloat',
  'redis eviction storm',
  'nginx upstream timeout',
];

beforeAll(async () => {
  store = await openTempMemory();
  // Episodes that share some words with each topic and differ in length, so that ranks differ.
  for (let i = 0; i < 24; i += 1) {
    const topic = topics[i % topics.length] as string;
    const other = topics[(i + 1) % topics.length] as string;
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: `${topic} seen on host ${i}`,
    });
    await store.memory.episodes.logSteps(episode.id, [
      { action: `inspect ${topic}`, result: `${'metrics '.repeat(i % 5)}${other} rebalance partition ${i}` },
      { action: 'restart', result: `${topic} recovered after ${i} minutes` },
    ]);
  }
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

/** Shortlists that remember every query they read. */
class RecordingShortlists extends Shortlists {
  readonly queries: string[] = [];
  override get(source: Source, ftsQuery: string, size: number, aside?: boolean) {
    this.queries.push(ftsQuery);
    return super.get(source, ftsQuery, size, aside);
  }
}

async function expand(text: string, pool: number, on = db, aside = false) {
  const kept = ftsPhrases(text);
  const shortlists = new RecordingShortlists(on, new SqlFilter());
  const query = phrasesToFtsQuery(kept) as string;
  const hits = episodeMatches(shortlists, query, pool, settings.fields);
  const ranked = await expansionRanking(shortlists, new TermCounts(on), settings, kept, hits, pool, aside);
  return { ranked, queries: shortlists.queries, kept };
}

describe('the expanded query', () => {
  it('is ranked from the main query and the added words alone, as the whole expanded query ranks', async () => {
    const { ranked, queries, kept } = await expand('kafka consumer lag', 20);
    const added = queries.at(-1) as string;
    expect(added).not.toContain('"kafka"');
    const whole = `${phrasesToFtsQuery(kept)} OR ${added}`;
    // The main query's words are not scored a second time.
    expect(queries).not.toContain(whole);
    expect(ranked.length).toBeGreaterThan(4);
    expect(ranked).toEqual(
      await episodeRanking(new Shortlists(db, new SqlFilter()), whole, 20, settings.fields),
    );
  });

  it('ranks the same when its query is read aside, as in a large store, by either path', async () => {
    const worker = await onStartedWorker(db);
    try {
      for (const pool of [20, 2]) {
        const aside = await expand('kafka consumer lag', pool, worker.db, true);
        expect(aside.ranked).toEqual((await expand('kafka consumer lag', pool)).ranked);
        expect(aside.ranked.length).toBeGreaterThan(1);
      }
      // The added words' shortlist (pool 20), then the whole expanded query (pool 2).
      expect(worker.sent()).toBe(2);
    } finally {
      await worker.stop();
    }
  });

  it('falls back to the whole expanded query when a part has more matches than its shortlist', async () => {
    const { ranked, queries } = await expand('kafka consumer lag', 2);
    const whole = queries.at(-1) as string;
    expect(whole).toContain('"kafka"');
    expect(ranked).toEqual(
      await episodeRanking(new Shortlists(db, new SqlFilter()), whole, 2, settings.fields),
    );
  });
});
