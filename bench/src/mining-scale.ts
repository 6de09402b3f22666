import { copyFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Memory, openMemory } from '@episodic/core';
import { createClient } from '@libsql/client';
import type { BenchmarkContext } from './benchmark.js';
import { formatNumber } from './format-table.js';
import { defaultMiners } from './mining-miners.js';
import { generateAgentEpisodes } from './workloads/agent-episodes.js';

export const storedEpisodes = 10_000;
const measuredEpisodes = 300;
/** Episodes forgotten one at a time, spread evenly over the stored ones (oldest to newest). */
export const forgottenEpisodes = 30;

/** How many episodes `speedAtScale` stores, completes with and without the miners, and forgets. */
export interface ScaleSizes {
  stored: number;
  measured: number;
  forgotten: number;
}

/** A copy of a closed store's file, its write-ahead log folded in first (a close may leave one). */
async function copyStore(from: string, to: string): Promise<void> {
  const client = createClient({ url: from, intMode: 'number' });
  try {
    const busy = (await client.execute('PRAGMA wal_checkpoint(TRUNCATE)')).rows[0]?.[0];
    if (busy !== 0) throw new Error(`could not fold the write-ahead log of ${from} in before copying it`);
    copyFileSync(from.slice('file:'.length), to.slice('file:'.length));
  } finally {
    client.close();
  }
}

/** Per-episode mining cost with 10,000 synthetic episodes stored, and remine() over all of them. */
export async function speedAtScale(
  context: BenchmarkContext,
  sizes: ScaleSizes = { stored: storedEpisodes, measured: measuredEpisodes, forgotten: forgottenEpisodes },
) {
  const url = `file:${join(context.tempDir, 'scale.db')}`;
  const all = generateAgentEpisodes({
    episodes: sizes.stored + sizes.measured * 2,
    stepsPerEpisode: 20,
    seed: 61,
  });
  const stored = all.slice(0, sizes.stored);
  const plain = await openMemory({ url });
  context.progress(`mining: storing ${formatNumber(sizes.stored)} synthetic episodes (no miners yet)`);
  const storedIds: string[] = [];
  for (const [n, episode] of stored.entries()) {
    const { id } = await plain.episodes.start(episode.start);
    storedIds.push(id);
    await plain.episodes.logSteps(id, episode.steps);
    await plain.episodes.complete(id, episode.outcome);
    if (n % 50 === 0) await yieldToEventLoop();
  }
  await plain.close();
  // The comparison without miners runs on a copy taken before any miner learns in the store: the
  // completions queue work for every learner the store knows, and `learning.flush` waits for one
  // that some process runs, so on the store itself it would wait for the other store's miners.
  const bareUrl = `file:${join(context.tempDir, 'scale-without-miners.db')}`;
  await copyStore(url, bareUrl);

  const memory = await openMemory({ url, miners: defaultMiners() });
  try {
    context.progress(`mining: remine() over ${formatNumber(sizes.stored)} episodes`);
    const report = await memory.admin.remine();

    const completeMs = async (target: Memory, episodes: typeof all) => {
      const samples: number[] = [];
      for (const episode of episodes) {
        const { id } = await target.episodes.start(episode.start);
        await target.episodes.logSteps(id, episode.steps);
        const start = performance.now();
        await target.episodes.complete(id, episode.outcome);
        // Mining runs in the background since the learning queue: time until this episode is mined.
        await target.learning.flush();
        samples.push(performance.now() - start);
      }
      return samples;
    };
    context.progress(`mining: completing ${sizes.measured} more episodes with the four miners`);
    const withMining = await completeMs(memory, all.slice(sizes.stored, sizes.stored + sizes.measured));
    const bare = await openMemory({ url: bareUrl });
    let withoutMining: number[];
    try {
      context.progress(
        `mining: completing ${sizes.measured} more episodes without miners (a copy of the store before them)`,
      );
      withoutMining = await completeMs(bare, all.slice(sizes.stored + sizes.measured));
    } finally {
      await bare.close();
    }
    // forget (default options) recomputes the patterns the episode reached and returns; the purge
    // of its text from the full-text indexes and the WAL follows in the background.
    context.progress(`mining: forgetting ${sizes.forgotten} stored episodes one at a time`);
    const forgetMs: number[] = [];
    const purgedMs: number[] = [];
    const loadBefore = loadavg()[0] ?? 0;
    for (let i = 0; i < sizes.forgotten; i += 1) {
      const id = storedIds[Math.floor(((i + 0.5) * storedIds.length) / sizes.forgotten)] as string;
      const start = performance.now();
      await memory.admin.forget({ episodeIds: [id] });
      forgetMs.push(performance.now() - start);
      // Until no byte of it is left: the background purge, which this waits for, has run.
      await memory.admin.purge();
      purgedMs.push(performance.now() - start);
    }
    const load = { before: loadBefore, after: loadavg()[0] ?? 0 };
    return { report, withMining, withoutMining, forgetMs, purgedMs, load };
  } finally {
    await memory.close();
  }
}
