import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from './__fixtures__/test-miners.js';
import { miningSql } from './mining-batch.js';
import { laterEpisodesSql } from './replay-later-episodes.js';
import { probeSql } from './subtract-evidence.js';
import { forgottenContributionsSql } from './unmine.js';

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

async function planOf(sql: string): Promise<string> {
  const raw = createClient({ url: store.url });
  try {
    await raw.execute('CREATE TEMP TABLE IF NOT EXISTS forget_episodes (id TEXT PRIMARY KEY)');
    const args = Array.from(sql.matchAll(/\?/g), () => 'x');
    const plan = await raw.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args });
    return plan.rows.map((row) => String(row.detail)).join('\n');
  } finally {
    raw.close();
  }
}

/** Mining must cost the same at 100,000 episodes as at 10: no statement it runs may scan a table. */
describe('mining statements use indexes', () => {
  it.each([
    ['mined state', miningSql.minedState],
    ['baselines', miningSql.baselines],
    ['evidence', miningSql.evidence(3)],
    ['episodes still stored', miningSql.existing(3)],
    ['next mining sequence', 'SELECT COALESCE(MAX(seq), 0) + 1 FROM mined_episodes'],
  ])('%s', async (_, sql) => {
    const plan = await planOf(sql);
    expect(plan).not.toMatch(/\bSCAN (?!.*USING (COVERING )?INDEX)/);
    expect(plan).toMatch(/USING|SEARCH/);
  });
});

/**
 * A forget of an old episode finds the later episodes of its scope as index ranges bounded by
 * domain, task type and sequence: the rows read are those episodes, not every one mined since.
 */
describe("forget's later episodes are one range per scope", () => {
  it('of some task types', async () => {
    expect(await planOf(laterEpisodesSql('forget_episodes', 2))).toMatch(
      /SEARCH m USING INDEX idx_mined_episodes_scope \(domain=\? AND task_type=\? AND seq>\?\)/,
    );
  });
  it('of the whole domain', async () => {
    expect(await planOf(laterEpisodesSql('forget_episodes', null))).toMatch(
      /SEARCH m USING INDEX idx_mined_episodes_scope \(domain=\?\)/,
    );
  });
});

/** Subtracting a forgotten episode's contributions reads its links, and one pattern's at most per probe. */
describe("forget's subtraction reads index ranges", () => {
  it("the forgotten episodes' links", async () => {
    expect(await planOf(forgottenContributionsSql('forget_episodes'))).toMatch(
      /SEARCH episode_patterns USING INDEX idx_episode_patterns_episode \(episode_id=\?\)/,
    );
  });
  it('a probe for a kept extreme', async () => {
    expect(await planOf(probeSql('forget_episodes'))).toMatch(/SEARCH l USING PRIMARY KEY \(pattern_id=\?\)/);
  });
});
