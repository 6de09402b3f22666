import type { PatternMinerV1 } from '@episodic/plugin';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { everythingOf } from '../mining/__fixtures__/mining-scripts.js';
import { createActionPairMiner, createHistoryProbeMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';
import { undoChangeFeed } from './__fixtures__/undo-change-feed.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const scopeOf = `SELECT m.episode_id, m.domain, m.task_type, e.domain AS episode_domain, e.task_type AS episode_task_type
  FROM mined_episodes m JOIN episodes e ON e.id = m.episode_id ORDER BY m.seq`;

describe('1.15.0: mined episodes keep their scope', () => {
  it('fills the scope of the episodes a 1.14.0 store mined, and forget then matches a remine', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const config = {
      url: folder.url,
      cache: false as const,
      miners: [createActionPairMiner(), createHistoryProbeMiner('taskType') as PatternMinerV1],
    };
    let memory = await openMemory(config);
    const ids: string[] = [];
    for (const [domain, taskType] of [
      ['web', 'debugging'],
      ['cli', 'refactoring'],
      ['web', 'debugging'],
      ['web', 'testing'],
    ] as const) {
      const episode = await memory.episodes.start({ taskType, domain });
      await memory.episodes.logSteps(episode.id, [{ action: 'read' }, { action: 'edit' }]);
      await memory.episodes.complete(episode.id, { status: 'completed' });
      ids.push(episode.id);
    }
    await memory.learning.flush();
    await memory.close();

    // The store as 1.14.0 left it: no scope columns, no index, 1.15.0 (nor any later one) not recorded.
    const raw = createClient({ url: folder.url });
    await raw.batch([
      'DROP INDEX idx_mined_episodes_scope',
      'ALTER TABLE mined_episodes DROP COLUMN domain',
      'ALTER TABLE mined_episodes DROP COLUMN task_type',
      'ALTER TABLE patterns DROP COLUMN order_free',
      'ALTER TABLE mined_episodes DROP COLUMN steps',
      'ALTER TABLE mined_episodes DROP COLUMN duration_ms',
      "DELETE FROM schema_migrations WHERE version IN ('1.15.0', '1.16.0', '1.17.0', '1.18.0')",
    ]);
    await undoChangeFeed(raw);
    raw.close();

    memory = await openMemory(config);
    try {
      expect(memory.migration).toMatchObject({
        from: '1.14.0',
        applied: [
          '1.15.0',
          '1.16.0',
          '1.17.0',
          '1.18.0',
          '1.19.0',
          '1.20.0',
          '1.21.0',
          '1.22.0',
          '1.23.0',
          '1.24.0',
          '1.25.0',
          '1.26.0',
        ],
      });
      const check = createClient({ url: folder.url, intMode: 'number' });
      cleanups.push(() => check.close());
      const rows = (await check.execute(scopeOf)).rows;
      expect(rows.map((row) => row.episode_id)).toEqual(ids);
      for (const row of rows) {
        expect([row.domain, row.task_type]).toEqual([row.episode_domain, row.episode_task_type]);
      }
      // The later episodes of the forgotten one's scope are found through the filled columns.
      await memory.admin.forget({ episodeIds: [ids[0] as string] });
      // Rows mined before 1.17.0 keep `order_free` NULL (not known) until a forget folds them again
      // from their links or a remine writes them, and those mined before 1.18.0 their measures
      // until a remine: everything else matches.
      const withoutFlag = async () => {
        const everything = await everythingOf(check);
        return {
          ...everything,
          patterns: everything.patterns.map(({ order_free, ...row }) => row),
          order: everything.order?.map(({ steps, duration_ms, ...row }) => row),
        };
      };
      const afterForget = await withoutFlag();
      await memory.admin.remine();
      expect(await withoutFlag()).toEqual(afterForget);
    } finally {
      await memory.close();
    }
  });
});
