import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';
import { undoChangeFeed } from './__fixtures__/undo-change-feed.js';
import { changeFeedRows } from './v1-19-0.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scratch() {
  const folder = tempStoreFolder();
  cleanups.push(folder.cleanup);
  await (await openMemory({ url: folder.url, cache: false })).close();
  const raw = createClient({ url: folder.url, intMode: 'number' });
  cleanups.push(() => raw.close());
  const feed = async () =>
    (await raw.execute('SELECT key FROM change_feed ORDER BY seq')).rows.map((row) => String(row.key));
  return { ...folder, raw, feed };
}

describe('1.19.0: the change feed', () => {
  it('logs the cache key of every change to an episode, its steps or a pattern, whoever writes it', async () => {
    const { raw, feed } = await scratch();
    const e = 'episode:e1';
    const p = 'pattern:tool_sequence:p1';
    const changes: [string, string[]][] = [
      ["INSERT INTO episodes (id, task_type, domain) VALUES ('e1', 'debugging', 'web')", [e]],
      ["INSERT INTO steps (id, episode_id, step_number, action) VALUES ('s1', 'e1', 1, 'a')", [e]],
      ["UPDATE steps SET result = 'r' WHERE id = 's1'", [e]],
      ["UPDATE episodes SET status = 'completed' WHERE id = 'e1'", [e]],
      [
        "INSERT INTO patterns (id, pattern_type, pattern_data, success_rate) VALUES ('p1', 'tool_sequence', '{}', 1)",
        [p],
      ],
      ["UPDATE patterns SET usage_count = 1 WHERE id = 'p1'", [p]],
      ["DELETE FROM patterns WHERE id = 'p1'", [p]],
      ["DELETE FROM steps WHERE id = 's1'", [e]],
      // Deleting an episode deletes its steps too (ON DELETE CASCADE): its key for each.
      ["INSERT INTO steps (id, episode_id, step_number, action) VALUES ('s2', 'e1', 2, 'b')", [e]],
      ["DELETE FROM episodes WHERE id = 'e1'", [e, e]],
    ];
    const expected: string[] = [];
    for (const [statement, keys] of changes) {
      await raw.execute(statement);
      expected.push(...keys);
      expect(await feed(), statement).toEqual(expected);
    }
  });

  it(`keeps the newest ${changeFeedRows.toLocaleString('en')} rows`, async () => {
    const { raw } = await scratch();
    const extra = 25;
    await raw.execute(`INSERT INTO change_feed (key) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
      WHERE i < ${changeFeedRows + extra}) SELECT 'episode:' || i FROM n`);
    const bounds = (
      await raw.execute('SELECT COUNT(*) AS rows, MIN(seq) AS low, MAX(seq) AS high FROM change_feed')
    ).rows[0];
    expect(bounds).toMatchObject({ rows: changeFeedRows, low: extra + 1, high: changeFeedRows + extra });
  });

  it('is added to a 1.18.0 store, which then logs its changes', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    let memory = await openMemory({ url: folder.url, cache: false });
    await memory.close();
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    await undoChangeFeed(raw);

    memory = await openMemory({ url: folder.url, cache: false });
    cleanups.push(() => memory.close());
    expect(memory.migration).toMatchObject({
      from: '1.18.0',
      applied: ['1.19.0', '1.20.0', '1.21.0', '1.22.0', '1.23.0', '1.24.0', '1.25.0', '1.26.0'],
    });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    const rows = await raw.execute('SELECT key FROM change_feed');
    expect(rows.rows.map((row) => row.key)).toEqual([`episode:${episode.id}`]);
  });
});
