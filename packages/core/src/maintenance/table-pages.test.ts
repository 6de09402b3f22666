import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { openDatabase } from '../db/database.js';
import { openMemory } from '../open-memory.js';
import { dataTables, keyColumns, pageQuery, tablePages } from './table-pages.js';

let cleanup: () => Promise<void> = async () => {};
afterEach(() => cleanup());

describe('table pages (how rekey copies a table)', () => {
  it('reads every row once, and each later page is an index search, not a scan from the start', async () => {
    const store = tempStoreFolder();
    const memory = await openMemory({ url: store.url, cache: false });
    for (let i = 0; i < 25; i += 1) {
      const episode = await memory.episodes.start({ taskType: 'testing', domain: `d${i % 4}` });
      await memory.episodes.logSteps(episode.id, [{ action: 'a' }, { action: 'b' }, { action: 'c' }]);
    }
    await memory.close();
    const db = await openDatabase({ url: store.url, busyTimeoutMs: 1000, synchronous: 'normal' });
    cleanup = async () => {
      await db.close();
      store.cleanup();
    };

    let steps = 0;
    const seen = new Set<string>();
    for await (const page of tablePages(db, 'steps', 7)) {
      steps += page.rows.length;
      for (const row of page.rows) seen.add(String(row.id));
    }
    expect([steps, seen.size]).toEqual([75, 75]);

    const tables = await dataTables(db);
    expect(tables).toEqual(expect.arrayContaining(['episodes', 'steps', 'audit_log', 'api_tokens']));
    for (const table of tables) {
      const key = await keyColumns(db, table);
      const later = pageQuery(
        table,
        key,
        key.map(() => 'x'),
        7,
      );
      const plan = await db.read({ sql: `EXPLAIN QUERY PLAN ${later.sql}`, args: later.args });
      const detail = plan.rows.map((row) => String(row.detail)).join('; ');
      expect(`${table}: ${detail}`).toMatch(new RegExp(`^${table}: SEARCH ${table} USING `));
    }
  });
});
