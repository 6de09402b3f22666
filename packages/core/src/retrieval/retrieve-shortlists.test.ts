import type { ResultSet } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingDatabase } from '../__fixtures__/recording-database.js';
import { openTempMemory, testLocalDriver } from '../__fixtures__/temp-store.js';
import { createAuditLog } from '../audit/audit-log.js';
import { disabledCache } from '../cache/cache.js';
import { type Database, openDatabase } from '../db/database.js';
import { createEmbeddingEngine } from '../embeddings/embedding-engine.js';
import type { EngineContext } from '../engine-context.js';
import type { RetrieveInput } from '../schemas/input-schemas.js';
import type { AccessScope } from '../types.js';
import { createRetrieval } from './retrieve.js';
import { TermCounts } from './term-counts.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
const reads: [string, ResultSet][] = [];
let retrieve: ReturnType<typeof createRetrieval>['retrieve'];
const hour = 3_600_000;

beforeAll(async () => {
  // 8 candidates per signal: shortlists of 32 rows, of which the first 10 come with their episode.
  // Query expansion on (off by default), so that its shortlist is among the statements counted.
  store = await openTempMemory({ retrieval: { candidates: 8, weights: { expansion: 0.2 } } });
  const { memory } = store;
  // 48 episodes that all say "deadlock", in two domains and two task types, each with three steps that say it too.
  for (let i = 0; i < 48; i += 1) {
    const episode = await memory.episodes.start({
      taskType: i % 3 === 0 ? 'testing' : 'debugging',
      domain: i % 2 === 0 ? 'even' : 'odd',
      context: `deadlock ${'in worker '.repeat((i % 4) + 1)}${i}`,
    });
    await memory.episodes.logSteps(
      episode.id,
      [0, 1, 2].map((k) => ({
        action: `inspect ${'deadlock '.repeat(((i + k) % 3) + 1)}lock order`,
        result: `step ${k} of ${i}${' noise'.repeat(i % 5)}`,
      })),
    );
  }
  // The store's own retrieval, on a database handle that keeps every read's statement and rows.
  db = await openDatabase({
    url: store.url,
    busyTimeoutMs: 5000,
    synchronous: 'normal',
    localDriver: testLocalDriver,
  });
  const context: EngineContext = {
    db: recordingDatabase(db, reads),
    config: memory.config,
    schemas: memory.schemas,
    audit: createAuditLog(db, memory.config.logger),
  };
  ({ retrieve } = createRetrieval(
    context,
    createEmbeddingEngine(context, undefined),
    disabledCache('every read is counted'),
    async () => [],
    new TermCounts(context.db),
  ));
});
afterAll(async () => {
  await db.close();
  await store.close();
});

/**
 * What one retrieve read from the full-text shortlists: the rows that came back without their
 * episode (left for a later look-up), and the statements that looked up such rows afterwards.
 */
async function shortlistReads(filters: Omit<RetrieveInput, 'text'>, scope?: AccessScope) {
  reads.length = 0;
  const result = await retrieve({ text: 'deadlock', limit: 8, patterns: 0, ...filters }, { scope });
  expect(result.episodes).toHaveLength(8);
  // A shortlist statement starts from `f`, the full-text table's best rows.
  const shortlists = reads.filter(([sql]) => sql.startsWith('WITH f AS'));
  expect(shortlists.length).toBeGreaterThan(0);
  return {
    rowsWithoutEpisode: shortlists
      .flatMap(([, result]) => result.rows)
      .filter((row) => row.episode_id === null).length,
    lookUps: reads.filter(([sql]) => sql.includes('json_each(?) j ORDER BY j.key')).length,
  };
}

const narrowing: [string, Omit<RetrieveInput, 'text'>, AccessScope?][] = [
  ['a domain filter', { domain: 'odd' }],
  ['a task type filter', { taskType: 'testing' }],
  ['a since filter', { since: new Date(Date.now() - hour).toISOString() }],
  ['an until filter', { until: new Date(Date.now() + hour).toISOString() }],
  ['a status filter', { status: 'active' }],
  ['an access scope', {}, { domains: ['even'] }],
];

describe('retrieve under filters', () => {
  it('reads the episodes of only the first shortlisted rows when nothing narrows the search', async () => {
    // 32 rows per shortlist, 10 of them with their episode: the first 8 episodes settle the ranking.
    const { rowsWithoutEpisode, lookUps } = await shortlistReads({});
    expect(rowsWithoutEpisode).toBeGreaterThanOrEqual(22);
    expect(lookUps).toBe(0);
  });

  it('reads every match at once under filters whose shortlist fell short before, and ranks the same', async () => {
    // 8 of the 48 episodes pass: a shortlist of 32 of the store's rows holds few of them.
    const filters: RetrieveInput = {
      text: 'deadlock',
      limit: 8,
      patterns: 0,
      domain: 'odd',
      taskType: 'testing',
      // Recency is measured back from `at`: the scores compared must not move with the clock.
      at: new Date().toISOString(),
    };
    const statements = async () => {
      reads.length = 0;
      const result = await retrieve(filters);
      const docs = reads.filter(([sql]) => sql.includes('episode_docs_fts MATCH'));
      return {
        shortlists: docs.filter(([sql]) => sql.startsWith('WITH f AS')).length,
        everyMatch: docs.filter(([sql]) => sql.includes('CROSS JOIN episodes e')).length,
        ranked: result.episodes.map(({ episode, score }) => [episode.id, score.toFixed(9)]),
      };
    };
    const first = await statements();
    // The main query's shortlist, then every match; the expanded query's shortlist.
    expect(first).toMatchObject({ shortlists: 2, everyMatch: 1 });
    expect(first.ranked).toHaveLength(8);
    expect(await statements()).toEqual({ ...first, shortlists: 1 });
  });

  it.each(narrowing)(
    'reads every shortlisted row with its episode under %s',
    async (_name, filters, scope) => {
      // Most of the first rows may fail the filters: every row is mapped at once, none later.
      expect(await shortlistReads(filters, scope)).toEqual({ rowsWithoutEpisode: 0, lookUps: 0 });
    },
  );
});
