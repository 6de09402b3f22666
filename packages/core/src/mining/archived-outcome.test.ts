import type { PatternMinerV1 } from '@episodic/plugin';
import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { type Memory, openMemory } from '../open-memory.js';
import { everythingOf, play, type Script, scripts } from './__fixtures__/mining-scripts.js';
import { createActionPairMiner, createHistoryProbeMiner } from './__fixtures__/test-miners.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const miners = () => [createActionPairMiner(), createHistoryProbeMiner('domain') as PatternMinerV1];

async function store(config: Parameters<typeof openMemory>[0] = {}) {
  const folder = tempStoreFolder();
  cleanups.push(folder.cleanup);
  const open = async (more: Parameters<typeof openMemory>[0] = {}) => {
    const memory = await openMemory({ url: folder.url, cache: false, ...config, ...more });
    cleanups.push(() => memory.close());
    return memory;
  };
  const raw: Client = createClient({ url: folder.url, intMode: 'number' });
  cleanups.push(() => raw.close());
  return { open, raw };
}

/** Records the scripts without waiting for learning (which may not run in this process). */
async function record(memory: Memory, list: readonly Script[], daysAgo = 0): Promise<string[]> {
  const ids: string[] = [];
  const start = Date.now() - daysAgo * 86_400_000;
  for (const [i, script] of list.entries()) {
    const createdAt = new Date(start + i * 1000).toISOString();
    const episode = await memory.episodes.start({
      taskType: script.taskType,
      domain: script.domain,
      createdAt,
    });
    await memory.episodes.logSteps(episode.id, script.steps);
    await memory.episodes.complete(episode.id, { status: script.status });
    ids.push(episode.id);
  }
  return ids;
}

/** What mining stored, with the store-specific ids and the mining order left out. */
async function learned(raw: Client) {
  const { patterns, baselines } = await everythingOf(raw);
  const successes = await raw.execute('SELECT SUM(successes) AS n FROM patterns');
  return {
    patterns: patterns.map(({ id, ...pattern }) => JSON.stringify(pattern)).sort(),
    baselines,
    successes: Number(successes.rows[0]?.n),
  };
}

/** The same episodes, nothing archived, mined as they finished. */
async function reference() {
  const { open, raw } = await store({ miners: miners() });
  await play(await open(), scripts());
  return learned(raw);
}

describe('an archived episode is mined with the outcome it finished with', { timeout: 60_000 }, () => {
  it('counts an episode archived before the miners reached it as the success it was', async () => {
    const expected = await reference();
    expect(expected.successes).toBeGreaterThan(0);

    // An agent's process records; a worker that is behind learns later.
    const { open, raw } = await store({ miners: miners() });
    const agent = await open({ learning: { run: false } });
    const ids = await record(agent, scripts());
    for (const id of ids.filter((_, i) => i % 3 === 0)) await agent.episodes.archive(id);
    await agent.close();
    const worker = await open();
    expect(await worker.learning.flush()).toMatchObject({ pending: 0, failed: 0 });

    expect(await learned(raw)).toEqual(expected);
  });

  it('mines episodes a process older than schema 1.22.0 completed after the store was migrated', async () => {
    const expected = await reference();
    // A rolling upgrade: a new worker migrated the store while an old server went on completing
    // episodes, which sets `status` and never `outcome`.
    const { open, raw } = await store({ miners: miners() });
    const agent = await open({ learning: { run: false } });
    await record(agent, scripts());
    await agent.close();
    await raw.execute('UPDATE episodes SET outcome = NULL');
    const worker = await open();
    expect(await worker.learning.flush()).toMatchObject({ pending: 0, failed: 0 });
    expect(await learned(raw)).toEqual(expected);
    // And a remine from nothing finds them as finished episodes.
    await raw.execute('DELETE FROM mined_episodes');
    expect((await worker.admin.remine()).episodes).toBe(scripts().length);
    expect(await learned(raw)).toEqual(expected);
  });

  it('lets remine mine archived episodes it had never mined, with their outcome', async () => {
    const expected = await reference();

    // History imported with no miners, then archived by retention before any miner ran.
    const { open, raw } = await store();
    const plain = await open();
    await record(plain, scripts(), 60);
    await plain.admin.retention({ cli: { archiveAfterDays: 30 }, web: { archiveAfterDays: 30 } });
    const statuses = await raw.execute('SELECT DISTINCT status FROM episodes');
    expect(statuses.rows.map((row) => row.status)).toEqual(['archived']);
    await plain.close();

    const mining = await open({ miners: miners() });
    const report = await mining.admin.remine();
    expect(report.episodes).toBe(scripts().length);
    expect(await learned(raw)).toEqual(expected);
  });
});
