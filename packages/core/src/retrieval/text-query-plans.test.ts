import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type EpisodeFilters, episodeFilter } from '../db/episode-filter.js';
import { bestMatchSql } from '../search/text-search.js';
import type { AccessScope } from '../types.js';
import { candidateRowsSql } from './candidate-rows.js';
import { shortlistSql } from './shortlists.js';
import { stepOwnersSql, stepRankingSql } from './step-ranking.js';
import { docsSource } from './text-candidates.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 60; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: i % 2 === 0 ? 'debugging' : 'testing',
      domain: `d${i % 3}`,
      context: `deadlock in worker ${i}`,
    });
    await store.memory.episodes.logSteps(episode.id, [{ action: 'inspect', result: `deadlock ${i}` }]);
  }
  await store.memory.admin.analyze();
});
afterAll(() => store.close());

async function plan(sql: string, args: unknown[]): Promise<string> {
  const raw = createClient({ url: store.url });
  try {
    const rows = (await raw.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: args as string[] })).rows;
    return rows.map((row) => String(row.detail)).join('\n');
  } finally {
    raw.close();
  }
}

type Filter = keyof EpisodeFilters;
const values: Required<EpisodeFilters> = {
  domain: 'd1',
  taskType: 'testing',
  status: 'completed',
  since: '2020-01-01',
  until: '2100-01-01',
};
const names = Object.keys(values) as Filter[];

/** Every subset of the filters (domain, task type, status, since, until), alone and for a scoped caller. */
const combinations: [string, EpisodeFilters, AccessScope | undefined][] = Array.from(
  { length: 2 ** names.length },
  (_, mask) => {
    const chosen = names.filter((_name, bit) => (mask & (1 << bit)) !== 0);
    return Object.fromEntries(chosen.map((name) => [name, values[name]])) as EpisodeFilters;
  },
).flatMap((filters) => {
  const label = Object.keys(filters).join(' + ') || 'no filter';
  return [
    [label, filters, undefined],
    [`${label}, scoped caller`, filters, { domains: ['d0', 'd1'] }],
  ] as [string, EpisodeFilters, AccessScope | undefined][];
});

/** The WHERE clause `retrieve` builds: archived episodes only when the status filter asks for them. */
function retrieveWhere(filters: EpisodeFilters, scope: AccessScope | undefined) {
  const where = episodeFilter(filters, 'e').scope('e.domain', scope);
  if (filters.status === undefined) where.when("e.status != 'archived'");
  return where;
}

/** The plan's first loop (the table it starts from). */
const firstLoop = (detail: string) => detail.split('\n').find((line) => /^(SCAN|SEARCH) /.test(line.trim()));

function expectKeyedLookups(detail: string, label: string) {
  expect(detail, label).not.toMatch(/SCAN (e|s|episodes|steps)\b(?! VIRTUAL)/);
  expect(detail, label).not.toMatch(/idx_episodes_(domain|status|created)/);
}

describe('full-text query plans under filters', () => {
  it.each(combinations)(
    '%s: every full-text statement starts from the full-text table',
    async (_name, filters, scope) => {
      const where = retrieveWhere(filters, scope);
      const statements: [string, string, unknown[]][] = [
        [
          'episode_docs_fts',
          docsSource({ context: 1, steps: 1 }).allSql(where.sql),
          ['"deadlock"', ...where.args, 10],
        ],
        ['steps_fts', stepRankingSql(where.sql), ['"deadlock"', 41, 40, 13, ...where.args, 13]],
      ];
      const searchWhere = episodeFilter(filters, 'e').scope('e.domain', scope);
      statements.push([
        'episodes_fts',
        bestMatchSql(searchWhere.sql),
        ['"deadlock"', ...searchWhere.args, '"deadlock"', ...searchWhere.args, 10],
      ]);
      for (const [table, sql, args] of statements) {
        const detail = await plan(sql, args);
        // The first loop is the full-text match; episodes and steps are then looked up by key.
        expect(firstLoop(detail), table).toMatch(new RegExp(`SCAN ${table} VIRTUAL TABLE`));
        expectKeyedLookups(detail, table);
      }
    },
  );

  it.each(combinations)(
    '%s: shortlisted rows and candidates are read by key, never through a filter index',
    async (_name, filters, scope) => {
      const where = retrieveWhere(filters, scope);
      const ids = ['a', 'b', 'c'];
      const statements: [string, string, unknown[], RegExp][] = [
        [
          'episode_docs_fts shortlist',
          shortlistSql(docsSource({ context: 1, steps: 1 }), where.sql),
          ['"deadlock"', 41, 13, ...where.args],
          /SCAN episode_docs_fts VIRTUAL TABLE/,
        ],
        [
          'episode_docs_fts shortlist, every row looked up',
          shortlistSql(docsSource({ context: 1, steps: 1 }), where.sql, true),
          ['"deadlock"', 41, ...where.args],
          /SCAN episode_docs_fts VIRTUAL TABLE/,
        ],
        [
          'whole-episode rows looked up later',
          docsSource({ context: 1, steps: 1 }).ownersSql(where.sql),
          [...where.args, JSON.stringify([1, 2, 3])],
          /SCAN j VIRTUAL TABLE/,
        ],
        [
          'step rows looked up later',
          stepOwnersSql(where.sql),
          [...where.args, JSON.stringify([1, 2, 3])],
          /SCAN j VIRTUAL TABLE/,
        ],
        [
          'candidate rows',
          candidateRowsSql(where.sql),
          [JSON.stringify(ids), ...where.args],
          /SEARCH e USING INDEX sqlite_autoindex_episodes_1 \(id=\?\)/,
        ],
      ];
      for (const [label, sql, args, first] of statements) {
        const detail = await plan(sql, args);
        expect(firstLoop(detail), label).toMatch(first);
        expectKeyedLookups(detail, label);
      }
    },
  );
});
