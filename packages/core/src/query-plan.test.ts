import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from './__fixtures__/temp-store.js';
import { newestEpisodesSql } from './patterns/relevant-patterns.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 50; i += 1) {
    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: `d${i % 5}` });
    await store.memory.episodes.logSteps(episode.id, [{ action: 'a' }, { action: 'b' }]);
  }
  await store.memory.admin.analyze();
});
afterAll(() => store.close());

async function plan(sql: string, args: (string | number)[]): Promise<string[]> {
  const raw = createClient({ url: store.url });
  const rows = (await raw.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows;
  raw.close();
  return rows.map((row) => String(row.detail));
}

describe('query plans', () => {
  it('analyze() gathers planner statistics', async () => {
    const raw = createClient({ url: store.url });
    const stats = await raw.execute("SELECT tbl FROM sqlite_stat1 WHERE tbl = 'episodes'");
    raw.close();
    expect(stats.rows.length).toBeGreaterThan(0);
  });

  it.each([
    [
      "the seed's episodes by domain and time",
      'SELECT * FROM episodes WHERE domain = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?',
      ['d1', '2020-01-01', 10],
    ],
    [
      "the seed's patterns by type and success rate",
      'SELECT * FROM patterns WHERE pattern_type = ? AND success_rate > ? ORDER BY success_rate DESC',
      ['tool_sequence', 0.5],
    ],
    ['an episode by id', 'SELECT * FROM episodes WHERE id = ?', ['x']],
    ['the steps of an episode', 'SELECT * FROM steps WHERE episode_id = ? ORDER BY step_number', ['x']],
  ])('%s uses an index, never a full-table scan', async (_name, sql, args) => {
    const detail = await plan(sql, args as (string | number)[]);
    expect(detail.join('\n')).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|USING PRIMARY KEY/);
    expect(detail.filter((line) => /^SCAN /.test(line))).toEqual([]);
    expect(detail.join('\n')).not.toContain('TEMP B-TREE');
  });
  it("a pattern's newest supporting episodes: its links by key, each episode by id, sorted among them alone", async () => {
    const detail = await plan(newestEpisodesSql, ['p', 5]);
    expect(detail).toEqual([
      expect.stringMatching(/^SEARCH ep USING PRIMARY KEY \(pattern_id=\?\)$/),
      expect.stringMatching(/^SEARCH e USING INDEX sqlite_autoindex_episodes_1 \(id=\?\)$/),
      'USE TEMP B-TREE FOR ORDER BY',
    ]);
  });
});
