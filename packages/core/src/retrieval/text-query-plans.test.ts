import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type EpisodeFilters, episodeFilter } from '../db/episode-filter.js';
import { bestMatchSql } from '../search/text-search.js';
import type { AccessScope } from '../types.js';
import { docsSource, stepsSource } from './text-candidates.js';

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

const combinations: [string, EpisodeFilters, AccessScope | undefined][] = [
  ['no filter', {}, undefined],
  ['domain', { domain: 'd1' }, undefined],
  ['task type', { taskType: 'testing' }, undefined],
  ['since and until', { since: '2020-01-01', until: '2100-01-01' }, undefined],
  ['domain and task type', { domain: 'd1', taskType: 'testing' }, undefined],
  ['domain and since', { domain: 'd1', since: '2020-01-01' }, undefined],
  [
    'every filter',
    { domain: 'd1', taskType: 'testing', status: 'completed', since: '2020-01-01', until: '2100-01-01' },
    undefined,
  ],
  ['a scoped caller', {}, { domains: ['d0', 'd2'] }],
  ['a scoped caller with a task type', { taskType: 'debugging' }, { domains: ['d0'] }],
];

describe('full-text query plans under filters', () => {
  it.each(combinations)(
    '%s: every full-text statement starts from the full-text table',
    async (_name, filters, scope) => {
      const where = episodeFilter(filters, 'e').scope('e.domain', scope);
      if (filters.status === undefined) where.when("e.status != 'archived'");
      const statements: [string, string, unknown[]][] = [
        [
          'episode_docs_fts',
          docsSource({ context: 1, steps: 1 }).allSql(where.sql),
          ['"deadlock"', ...where.args, 10],
        ],
        ['steps_fts', stepsSource.allSql(where.sql), ['"deadlock"', ...where.args, 10]],
        [
          'episodes_fts',
          bestMatchSql(where.sql),
          ['"deadlock"', ...where.args, '"deadlock"', ...where.args, 10],
        ],
      ];
      for (const [table, sql, args] of statements) {
        const detail = await plan(sql, args);
        // The first loop is the full-text match; episodes and steps are then looked up by key.
        expect(
          detail.split('\n').find((line) => /^(SCAN|SEARCH) /.test(line.trim())),
          table,
        ).toMatch(new RegExp(`SCAN ${table} VIRTUAL TABLE`));
        expect(detail, table).not.toMatch(/SCAN (e|s|episodes|steps)\b(?! VIRTUAL)/);
        expect(detail, table).not.toContain('idx_episodes_domain_created');
      }
    },
  );
});
