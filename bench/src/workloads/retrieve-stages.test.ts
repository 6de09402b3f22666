import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../temp-dir.js';
import { RetrieveStages } from './retrieve-stages.js';

describe('retrieve stages', () => {
  it("sort the engine's statements of one retrieve into its stages, the expansion apart", async () => {
    const stages = new RetrieveStages();
    await withTempDir('stages', async (dir) => {
      // Query expansion on (off by default), so that its statements are sorted too.
      const memory = await openMemory({
        url: `file:${join(dir, 'stages.db')}`,
        cache: false,
        retrieval: { weights: { expansion: 0.2 } },
      });
      try {
        for (let i = 0; i < 12; i += 1) {
          const episode = await memory.episodes.start({
            taskType: 'debugging',
            domain: 'ops',
            context: `kafka consumer lag on host ${i}`,
          });
          await memory.episodes.logSteps(episode.id, [
            { action: 'inspect lag', result: `partition rebalance took ${i} minutes after broker restart` },
          ]);
        }
        const input = { text: 'kafka consumer lag after broker restart', patterns: 0 };
        await memory.search.retrieve(input);
        stages.begin();
        const started = performance.now();
        await memory.search.retrieve(input);
        stages.end(performance.now() - started);
      } finally {
        await memory.close();
      }
    });
    const timed = new Map(stages.take());
    for (const stage of [
      'phrase selection',
      'candidate queries',
      'expansion terms',
      'expansion query',
      'hydration',
    ] as const)
      expect(timed.get(stage), stage).toBeGreaterThan(0);
    // Every statement of a retrieve without a provider has a stage of its own.
    expect(timed.has('other sql')).toBe(false);
    expect(stages.take()).toEqual([]);
  });
});
