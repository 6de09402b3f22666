import { addEpisodeToStats, emptyBaselineStats, type PatternMinerV1, toBaseline } from '@episodic/plugin';
import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { everythingOf, play, scripts } from './__fixtures__/mining-scripts.js';
import {
  createActionPairMiner,
  createHistoryProbeMiner,
  createMedianProbeMiner,
} from './__fixtures__/test-miners.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Each miner wrapped to count the episodes it mines, by episode id. */
function counted(miners: PatternMinerV1[]) {
  const calls = new Map<string, string[]>();
  const wrapped = miners.map(
    (miner): PatternMinerV1 => ({
      ...miner,
      mine(input) {
        calls.set(miner.patternType, [...(calls.get(miner.patternType) ?? []), input.episode.id]);
        return miner.mine(input);
      },
    }),
  );
  return { miners: wrapped, calls };
}

async function open(miners: PatternMinerV1[]) {
  const store = await openTempMemory({ miners });
  const raw: Client = createClient({ url: store.url, intMode: 'number' });
  cleanups.push(
    () => store.close(),
    () => raw.close(),
  );
  return { store, raw };
}

const minerSets = {
  'history-free and domain-history miners': () => [
    createActionPairMiner(),
    createHistoryProbeMiner('domain') as PatternMinerV1,
  ],
  'history-free and task-type-history miners': () => [
    createActionPairMiner(),
    createHistoryProbeMiner('taskType') as PatternMinerV1,
  ],
};

describe('forget recomputes only what the forgotten episodes reached', { timeout: 60_000 }, () => {
  for (const [name, miners] of Object.entries(minerSets)) {
    it(`leaves exactly what a remine of the remaining episodes builds (${name})`, async () => {
      const { store, raw } = await open(miners() as PatternMinerV1[]);
      const ids = await play(store.memory, [...scripts(), ...scripts().slice(0, 12)]);
      const forgets = [
        { episodeIds: [ids[1]!] }, // early: every later episode of its domain had it in its history
        { episodeIds: [ids[10]!, ids[16]!, ids[35]!] }, // two domains at once, one the last mined
        { episodeIds: [ids[0]!] }, // the first ever mined
      ];
      for (const selector of forgets) {
        await store.memory.admin.forget(selector);
        const afterForget = await everythingOf(raw);
        await store.memory.admin.remine({ batchSize: 7 });
        expect(afterForget).toEqual(await everythingOf(raw));
      }
      // A whole domain: its patterns and baselines go, the other domain's stay as they were.
      const cliBefore = (await everythingOf(raw)).patterns.filter((pattern) => pattern.domain !== 'cli');
      // In transactions of two episodes: each leaves what a remine would, so all of them do.
      const report = await store.memory.admin.forget({ domain: 'cli' }, { batchSize: 2 });
      expect(report.patternsRemoved).toBeGreaterThan(0);
      const afterForget = await everythingOf(raw);
      expect(afterForget.patterns).toEqual(cliBefore);
      expect(afterForget.baselines?.filter((row) => row.domain === 'cli')).toEqual([]);
      await store.memory.admin.remine();
      expect(afterForget).toEqual(await everythingOf(raw));
    });
  }

  it('mines again only the later episodes whose history changed, with the miners that read it', async () => {
    const { miners, calls } = counted([createActionPairMiner(), createHistoryProbeMiner('taskType')]);
    const { store, raw } = await open(miners);
    const list = scripts();
    const ids = await play(store.memory, list);
    calls.clear();

    const forgotten = 2; // web, debugging
    await store.memory.admin.forget({ episodeIds: [ids[forgotten]!] });
    const sameTaskTypeLater = ids.filter(
      (_, i) =>
        i > forgotten &&
        list[i]!.domain === list[forgotten]!.domain &&
        list[i]!.taskType === list[forgotten]!.taskType,
    );
    expect(calls.get('action_pair')).toBeUndefined();
    expect(calls.get('task_history_probe')).toEqual(sameTaskTypeLater);

    // Whatever it mined again is still what a remine gives.
    const afterForget = await everythingOf(raw);
    await store.memory.admin.remine();
    expect(afterForget).toEqual(await everythingOf(raw));
  });

  it('mines again only the later episodes whose history key changed, and still equals a remine', async () => {
    const { miners, calls } = counted([createActionPairMiner(), createMedianProbeMiner()]);
    const { store, raw } = await open(miners);
    const list = [...scripts(), ...scripts()];
    const ids = await play(store.memory, list);
    calls.clear();

    const forgotten = 2; // web, debugging
    await store.memory.admin.forget({ episodeIds: [ids[forgotten]!] });
    // The key each later episode of its task type saw when mined, and the one it sees now.
    const sameTaskType = (i: number) =>
      list[i]!.domain === list[forgotten]!.domain && list[i]!.taskType === list[forgotten]!.taskType;
    const usualSteps = (before: number, without?: number) => {
      let stats = emptyBaselineStats();
      for (let i = 0; i < before; i += 1) {
        if (!sameTaskType(i) || i === without) continue;
        const steps = list[i]!.steps;
        const durationMs = steps.reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
        stats = addEpisodeToStats(
          stats,
          { steps: steps.length, durationMs },
          list[i]!.status === 'completed',
        );
      }
      const distribution = toBaseline(stats).steps;
      return distribution === null || distribution.count < 3 ? null : distribution.median;
    };
    const later = ids.filter((_, i) => i > forgotten && sameTaskType(i));
    const changed = ids.filter(
      (_, i) => i > forgotten && sameTaskType(i) && usualSteps(i) !== usualSteps(i, forgotten),
    );
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(later.length);
    expect(calls.get('median_probe')).toEqual(changed);
    expect(calls.get('action_pair')).toBeUndefined();

    const afterForget = await everythingOf(raw);
    await store.memory.admin.remine();
    expect(afterForget).toEqual(await everythingOf(raw));
  });

  it('folds fractional measurements in mining order, not in the order the episodes were started', async () => {
    // Sums of these fractions depend on the order they are added in, and so does the key order.
    const fractions: PatternMinerV1<{ kind: string }> = {
      specificationVersion: 'v1',
      patternType: 'fractions',
      history: 'none',
      dataSchema: z.strictObject({ kind: z.string() }),
      mine: ({ episode, succeeded }) => [
        {
          data: { kind: 'any' },
          success: succeeded,
          measurements: {
            ...(episode.steps.length % 2 === 1 ? { odd: 1 } : {}),
            share: 1 / (3 + episode.steps.length),
            tenth: 0.1 * episode.steps.length,
          },
        },
      ],
    };
    const { store, raw } = await open([fractions as PatternMinerV1]);
    const started = [];
    for (let i = 0; i < 12; i += 1) {
      const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
      await store.memory.episodes.logSteps(
        episode.id,
        Array.from({ length: 1 + ((i * 5) % 7) }, () => ({ action: 'read_file' })),
      );
      started.push(episode.id);
    }
    // Mined last to first: mining order is the reverse of the ids' order.
    for (const id of [...started].reverse()) {
      await store.memory.episodes.complete(id, { status: 'completed' });
      await store.memory.learning.flush();
    }
    await store.memory.admin.forget({ episodeIds: [started[6]!] });
    const afterForget = await everythingOf(raw);
    await store.memory.admin.remine();
    expect(afterForget).toEqual(await everythingOf(raw));
  });

  it('re-mines the domains when links predate their contributions (schema before 1.11.0)', async () => {
    const { store, raw } = await open(minerSets['history-free and domain-history miners']());
    const ids = await play(store.memory, scripts());
    await raw.execute(`UPDATE episode_patterns SET success = NULL, measurements = NULL
      WHERE pattern_id IN (SELECT id FROM patterns WHERE domain = 'web')`);

    await store.memory.admin.forget({ episodeIds: [ids[5]!] }); // in web
    const afterForget = await everythingOf(raw);
    expect(afterForget.links?.some((link) => link.success === null)).toBe(false);
    await store.memory.admin.remine();
    expect(afterForget).toEqual(await everythingOf(raw));
  });
});
