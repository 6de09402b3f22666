import { execFileSync } from 'node:child_process';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';
import { docBodyChars } from '../search/episode-docs.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The trigger as 1.8.0 made it: the whole text of every step, however long. */
const unboundedTrigger = `CREATE TRIGGER episode_docs_fts_after_update AFTER UPDATE OF context ON episodes BEGIN
  INSERT OR REPLACE INTO episode_docs_fts (rowid, head, body)
  SELECT new.rowid, COALESCE(new.context, ''),
    COALESCE((SELECT group_concat(s.action || char(10) || COALESCE(s.result, ''), char(10))
              FROM steps s WHERE s.episode_id = new.id), '');
END`;

describe('1.24.0: a replaced context re-indexes a bounded document', () => {
  it('replaces the trigger of a 1.23.0 store, and the stock sqlite3 CLI still reads the schema', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    await (await openMemory({ url: folder.url, cache: false })).close();
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    await raw.batch([
      'DROP TRIGGER episode_docs_fts_after_update',
      unboundedTrigger,
      // 1.25.0's columns too: a 1.23.0 store has neither.
      'ALTER TABLE learner_processes DROP COLUMN settings',
      'ALTER TABLE learner_processes DROP COLUMN since',
      'ALTER TABLE learners DROP COLUMN settings',
      "DELETE FROM schema_migrations WHERE version IN ('1.24.0', '1.25.0', '1.26.0')",
    ]);

    const memory = await openMemory({ url: folder.url, cache: false });
    cleanups.push(() => memory.close());
    expect(memory.migration).toMatchObject({ from: '1.23.0', applied: ['1.24.0', '1.25.0', '1.26.0'] });
    // 40 results of 64,000 characters (2.5 M), then the context replaced, as an exporter's record does.
    const id = '6d2f8b4a-1c3e-4f5a-9b7d-2e4f6a8c0b13';
    const part = { id, taskType: 'debugging' as const, domain: 'ops' };
    const steps = Array.from({ length: 40 }, (_, i) => ({
      action: `dump ${i + 1}`,
      result: 'x'.repeat(64_000),
    }));
    await memory.episodes.record([{ ...part, context: 'first', steps }]);
    await memory.episodes.record([{ ...part, context: 'second' }]);
    const body = await raw.execute('SELECT head, length(body) AS chars FROM episode_docs_fts');
    expect(body.rows).toEqual([{ head: 'second', chars: expect.any(Number) }]);
    expect(body.rows[0]?.chars).toBeLessThanOrEqual(docBodyChars + 40);
    expect(body.rows[0]?.chars).toBeGreaterThan(docBodyChars - 40 * 64);

    await memory.close();
    const file = new URL(folder.url).pathname;
    expect(
      execFileSync('sqlite3', [file, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"], {
        encoding: 'utf8',
      }).trim(),
    ).toMatch(/^\d+$/);
  });
});
