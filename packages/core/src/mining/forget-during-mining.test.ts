import type { PatternMinerV1 } from '@episodic/plugin';
import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from './__fixtures__/test-miners.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A history-free miner that finds nothing, and whose first call waits until the test releases it. */
function gatedMiner() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered!: () => void;
  const started = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let calls = 0;
  const miner: PatternMinerV1<{ x: string }> = {
    specificationVersion: 'v1',
    patternType: 'gate_probe',
    dataSchema: z.strictObject({ x: z.string() }),
    history: 'none',
    async mine() {
      calls += 1;
      if (calls === 1) {
        entered();
        await released;
      }
      return [];
    },
  };
  return { miner, release, started };
}

const baselineRows = async (raw: Client) =>
  (
    await raw.execute('SELECT domain, task_type, stats FROM pattern_baselines ORDER BY domain, task_type')
  ).rows.map((row) => {
    const stats = JSON.parse(String(row.stats)) as { episodes: number; successes: number };
    return [row.domain, row.task_type, stats.episodes, stats.successes];
  });

describe('a forget while the learner mines the episode outside the write lock', () => {
  it('leaves the baselines counting only the episodes that remain (as a remine does)', {
    timeout: 60_000,
  }, async () => {
    const gate = gatedMiner();
    const store = await openTempMemory({ miners: [gate.miner, createActionPairMiner()] });
    const raw = createClient({ url: store.url, intMode: 'number' });
    cleanups.push(
      () => store.close(),
      () => raw.close(),
    );
    const { memory } = store;

    // One episode, a single step (no action pair): mined outside the lock, the gate holds it there.
    const doomed = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await memory.episodes.logSteps(doomed.id, [{ action: 'read_file a.ts', success: true }]);
    await memory.episodes.complete(doomed.id, { status: 'completed' });
    await gate.started;

    // The user forgets it while the learner is mid-batch.
    const report = await memory.admin.forget({ episodeIds: [doomed.id] });
    expect(report.episodeIds).toEqual([doomed.id]);
    gate.release();

    // A later episode: its batch runs after the held one has committed.
    const kept = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await memory.episodes.logSteps(kept.id, [
      { action: 'read_file a.ts', success: true },
      { action: 'edit_file a.ts', success: true },
    ]);
    await memory.episodes.complete(kept.id, { status: 'failed' });
    await memory.learning.flush();

    const incremental = await baselineRows(raw);
    await memory.admin.remine();
    const remined = await baselineRows(raw);
    // Only `kept` (failed) remains: one episode, no success, in both baselines.
    expect(remined).toEqual([
      ['web', '', 1, 0],
      ['web', 'debugging', 1, 0],
    ]);
    expect(incremental).toEqual(remined);
  });
});
