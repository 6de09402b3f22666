import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from './__fixtures__/test-miners.js';
import { miningSql } from './mining-batch.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeAll(async () => {
  store = await openTempMemory({ miners: [createActionPairMiner()] });
  for (let i = 0; i < 5; i += 1) {
    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await store.memory.episodes.logSteps(episode.id, [{ action: `a${i}` }, { action: `b${i}` }]);
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
  }
  await store.memory.learning.flush();
  // Enough rows that, after ANALYZE, the planner's choice reflects a real store, not a toy one.
  const raw = createClient({ url: store.url });
  await raw.execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate, support, successes)
    SELECT printf('%032x', i), 'action_pair', 'web', '{}', 0.5, 2, 1 FROM n`);
  raw.close();
  await store.memory.admin.analyze();
});
afterAll(() => store.close());

/** Mining must cost the same at 100,000 episodes as at 10: no statement it runs may scan a table. */
describe('mining statements use indexes', () => {
  it.each([
    ['mined state', miningSql.minedState],
    ['baselines', miningSql.baselines],
    ['evidence', miningSql.evidence(3)],
    ['next mining sequence', 'SELECT COALESCE(MAX(seq), 0) + 1 FROM mined_episodes'],
  ])('%s', async (_, sql) => {
    const raw = createClient({ url: store.url });
    try {
      const args = Array.from(sql.matchAll(/\?/g), () => 'x');
      const plan = (await raw.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows.map((row) =>
        String(row.detail),
      );
      expect(plan.join('\n')).not.toMatch(/\bSCAN (?!.*USING (COVERING )?INDEX)/);
      expect(plan.join('\n')).toMatch(/USING|SEARCH/);
    } finally {
      raw.close();
    }
  });
});
