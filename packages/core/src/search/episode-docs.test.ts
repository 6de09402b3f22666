import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { rebuildEpisodeDocs } from './episode-docs.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 6; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: `disk alert ${i} on host ${i % 2 === 0 ? 'alpha' : 'beta'}`,
    });
    // Steps in several batches: the episode's row is replaced after each.
    for (let batch = 0; batch < 3; batch += 1) {
      await store.memory.episodes.logSteps(episode.id, [
        { action: `df -h batch ${batch}`, result: i % 3 === 0 ? 'disk full on /var' : 'plenty of space' },
      ]);
    }
  }
});
afterAll(() => store.close());

async function scores(): Promise<string[]> {
  const raw = createClient({ url: store.url });
  try {
    const rows = await raw.execute(
      `SELECT rowid, bm25(episode_docs_fts) AS rank FROM episode_docs_fts
       WHERE episode_docs_fts MATCH '"disk" OR "full" OR "alpha"' ORDER BY rank, rowid`,
    );
    return rows.rows.map((row) => `${row.rowid}:${Number(row.rank).toFixed(9)}`);
  } finally {
    raw.close();
  }
}

describe('episode_docs_fts', () => {
  it('scores episodes whose steps came in several batches exactly as a fresh index would', async () => {
    const incremental = await scores();
    expect(incremental).toHaveLength(6);
    const raw = createClient({ url: store.url });
    for (const statement of rebuildEpisodeDocs) await raw.execute(statement);
    raw.close();
    expect(await scores()).toEqual(incremental);
  });
});
