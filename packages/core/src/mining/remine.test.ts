import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { Memory } from '../open-memory.js';
import type { StepInput } from '../schemas/input-schemas.js';
import { createActionPairMiner, createHistoryProbeMiner } from './__fixtures__/test-miners.js';

type Store = Awaited<ReturnType<typeof openTempMemory>>;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const miners = () => [createActionPairMiner(), createHistoryProbeMiner()];

async function open(withMiners = true, url?: string): Promise<{ store: Store; raw: Client }> {
  const store = await openTempMemory(withMiners ? { miners: miners() } : {});
  const raw = createClient({ url: url ?? store.url, intMode: 'number' });
  cleanups.push(
    () => store.close(),
    () => raw.close(),
  );
  return { store, raw };
}

interface Script {
  taskType: string;
  domain: string;
  steps: StepInput[];
  status: 'completed' | 'failed';
}

/** A fixed mix of episodes: several domains and task types, repeated and one-off patterns. */
function scripts(): Script[] {
  const tools = ['read_file', 'edit_file', 'run_tests', 'search_code', 'run_command'];
  return Array.from({ length: 24 }, (_, i) => ({
    taskType: i % 3 === 0 ? 'testing' : 'debugging',
    domain: i % 4 === 0 ? 'cli' : 'web',
    status: i % 5 === 0 ? 'failed' : 'completed',
    steps: Array.from({ length: 2 + (i % 4) }, (_, j) => ({
      action: `${tools[(i * 7 + j * 3) % tools.length]} file${j}.ts`,
      success: (i + j) % 6 !== 0,
      durationMs: 50 * (1 + ((i + j) % 5)),
    })),
  }));
}

async function play(memory: Memory, list: Script[]): Promise<string[]> {
  const ids: string[] = [];
  for (const script of list) {
    const episode = await memory.startEpisode({ taskType: script.taskType, domain: script.domain });
    await memory.logSteps(episode.id, script.steps);
    await memory.completeEpisode(episode.id, { status: script.status });
    ids.push(episode.id);
  }
  return ids;
}

async function patternsOf(raw: Client) {
  const rows =
    await raw.execute(`SELECT id, pattern_type, domain, task_type, pattern_data, summary, support, successes,
    success_rate, wilson_lower, score, measurements, usage_count, helped_count FROM patterns ORDER BY id`);
  return rows.rows.map((row) => ({ ...row }));
}

async function everythingOf(raw: Client) {
  const [links, baselines, order] = await raw.batch(
    [
      'SELECT episode_id, pattern_id FROM episode_patterns ORDER BY episode_id, pattern_id',
      'SELECT domain, task_type, stats FROM pattern_baselines ORDER BY domain, task_type',
      'SELECT episode_id, succeeded, pending FROM mined_episodes ORDER BY seq',
    ],
    'read',
  );
  return {
    patterns: await patternsOf(raw),
    links: links?.rows.map((row) => ({ ...row })),
    baselines: baselines?.rows.map((row) => ({ ...row })),
    order: order?.rows.map((row) => ({ ...row })),
  };
}

describe('remine', () => {
  it('rebuilds exactly what incremental mining built, in bounded batches', async () => {
    const { store, raw } = await open();
    await play(store.memory, scripts());
    const incremental = await everythingOf(raw);
    expect(incremental.patterns.length).toBeGreaterThan(10);

    const report = await store.memory.remine({ batchSize: 4 });
    expect(report).toMatchObject({ episodes: 24, patterns: incremental.patterns.length });
    expect(await everythingOf(raw)).toEqual(incremental);
  });

  it('mines episodes that finished before any miner was configured, as incremental mining would have', async () => {
    const { store: mined, raw: minedRaw } = await open(true);
    await play(mined.memory, scripts());

    const { store: late, raw: lateRaw } = await open(false);
    await play(late.memory, scripts());
    expect(await patternsOf(lateRaw)).toEqual([]);
    await late.memory.close();
    const { openMemory } = await import('../open-memory.js');
    const reopened = await openMemory({ url: late.url, miners: miners() });
    cleanups.push(() => reopened.close());
    expect(await reopened.remine({ batchSize: 5 })).toMatchObject({ episodes: 24 });
    expect(await patternsOf(lateRaw)).toEqual(await patternsOf(minedRaw));
  });

  it('drops patterns no episode supports any more, keeps usage feedback and hand-written patterns', async () => {
    const { store, raw } = await open();
    const ids = await play(store.memory, [
      {
        taskType: 'debugging',
        domain: 'web',
        status: 'completed',
        steps: [{ action: 'read_file' }, { action: 'edit_file' }],
      },
      {
        taskType: 'debugging',
        domain: 'web',
        status: 'completed',
        steps: [{ action: 'read_file' }, { action: 'edit_file' }],
      },
      {
        taskType: 'debugging',
        domain: 'web',
        status: 'completed',
        steps: [{ action: 'lint' }, { action: 'format' }],
      },
    ]);
    const [kept] = await store.memory
      .listPatterns({ type: 'action_pair' })
      .then((all) => all.items.filter((p) => p.support === 2));
    await store.memory.recordPatternUsage(kept!.id, { episodeId: ids[2]!, helped: true });
    await raw.execute(`INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate)
      VALUES ('by-hand', 'tool_sequence', 'web', '{"actions":["x"]}', 0.9)`);
    await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [ids[2]!] });

    await store.memory.remine();
    const { items: pairs } = await store.memory.listPatterns({ type: 'action_pair' });
    expect(pairs.map((pattern) => pattern.patternData)).toEqual([{ first: 'read_file', then: 'edit_file' }]);
    expect(pairs[0]).toMatchObject({ id: kept!.id, support: 2, usageCount: 1, helpedCount: 1 });
    expect(await store.memory.getPattern('by-hand')).toMatchObject({ support: null, successRate: 0.9 });
  });

  it('stops when cancelled, refuses a second remine at once, and a rerun completes', async () => {
    const { store, raw } = await open();
    await play(store.memory, scripts().slice(0, 8));
    const before = await everythingOf(raw);
    await expect(store.memory.remine({ signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow(
      'stop',
    );
    const first = store.memory.remine({ batchSize: 2 });
    await expect(store.memory.remine()).rejects.toMatchObject({ code: 'CONFLICT' });
    await first;
    expect(await everythingOf(raw)).toEqual(before);
    await expect(store.memory.remine({ batchSize: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'batchSize' }],
    });
  });
});
