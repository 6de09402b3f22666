import type { PatternMinerV1 } from '@episodic/plugin';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { everythingOf, play, scripts } from '../mining/__fixtures__/mining-scripts.js';
import { createActionPairMiner, createHistoryProbeMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';
import { undoChangeFeed } from './__fixtures__/undo-change-feed.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Each mined episode's recorded measures beside its steps' own count and total duration. */
const measuresOf = `SELECT m.steps, m.duration_ms,
    (SELECT COUNT(*) FROM steps s WHERE s.episode_id = m.episode_id) AS step_rows,
    (SELECT SUM(s.duration_ms) FROM steps s WHERE s.episode_id = m.episode_id) AS step_ms
  FROM mined_episodes m ORDER BY m.seq`;

describe('1.18.0: mined episodes keep their measures', () => {
  const config = (url: string) => ({
    url,
    cache: false as const,
    miners: [createActionPairMiner(), createHistoryProbeMiner('domain') as PatternMinerV1],
  });

  it('records the step count and total duration of each episode as it is mined', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const memory = await openMemory(config(folder.url));
    const check = createClient({ url: folder.url, intMode: 'number' });
    try {
      await play(memory, scripts());
      const rows = (await check.execute(measuresOf)).rows;
      expect(rows).toHaveLength(scripts().length);
      for (const row of rows) expect([row.steps, row.duration_ms]).toEqual([row.step_rows, row.step_ms]);
    } finally {
      check.close();
      await memory.close();
    }
  });

  it('leaves the measures of episodes a 1.17.0 store mined unrecorded, and forget still matches a remine', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    let memory = await openMemory(config(folder.url));
    const ids = await play(memory, scripts());
    await memory.close();

    // The store as 1.17.0 left it: no measure columns, 1.18.0 not recorded.
    const raw = createClient({ url: folder.url });
    await raw.batch([
      'ALTER TABLE mined_episodes DROP COLUMN steps',
      'ALTER TABLE mined_episodes DROP COLUMN duration_ms',
      "DELETE FROM schema_migrations WHERE version = '1.18.0'",
    ]);
    await undoChangeFeed(raw);
    raw.close();

    memory = await openMemory(config(folder.url));
    const check = createClient({ url: folder.url, intMode: 'number' });
    try {
      expect(memory.migration).toMatchObject({
        from: '1.17.0',
        applied: ['1.18.0', '1.19.0', '1.20.0', '1.21.0', '1.22.0', '1.23.0', '1.24.0', '1.25.0', '1.26.0'],
      });
      expect((await check.execute(measuresOf)).rows.every((row) => row.steps === null)).toBe(true);
      // The later episodes' measures are summed from their steps: the history probe, which reads
      // the domain's baseline, sees what a remine gives it.
      await memory.admin.forget({ episodeIds: [ids[1] as string] });
      const afterForget = await everythingOf(check);
      await memory.admin.remine();
      const afterRemine = await everythingOf(check);
      const withoutMeasures = (everything: typeof afterForget) => ({
        ...everything,
        order: everything.order?.map(({ steps, duration_ms, ...row }) => row),
      });
      expect(withoutMeasures(afterRemine)).toEqual(withoutMeasures(afterForget));
      // The remine recorded them.
      for (const row of (await check.execute(measuresOf)).rows)
        expect([row.steps, row.duration_ms]).toEqual([row.step_rows, row.step_ms]);
    } finally {
      check.close();
      await memory.close();
    }
  });
});
