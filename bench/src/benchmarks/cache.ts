import { join } from 'node:path';
import { setImmediate as turnOfEventLoop } from 'node:timers/promises';
import { type EpisodeWithSteps, type Memory, openMemory } from '@episodic/core';
import { open as openLmdb } from 'lmdb';
import type { Benchmark, BenchmarkContext } from '../benchmark.js';
import { formatNumber } from '../format-table.js';
import { percentile } from '../measure.js';
import { generateAgentEpisodes } from '../workloads/agent-episodes.js';
import { SeededRandom } from '../workloads/random.js';

const hitIterations = 100_000;
const rounds = 5;
const targetRatio = 2;
const latencyHits = 5_000;
const latencyMisses = 2_000;
const zipfEpisodes = 10_000;
const zipfStepsPerEpisode = 10;
const zipfOperations = 50_000;
const zipfWriteShare = 0.05;
const zipfExponent = 1;

/** Mean nanoseconds per call of `call`, over `iterations` calls after a warm-up. */
async function nsPerCall(iterations: number, call: () => unknown): Promise<number> {
  for (let i = 0; i < iterations / 10; i += 1) await call();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) await call();
  return Number(process.hrtime.bigint() - start) / iterations;
}

async function latenciesUs(
  count: number,
  before: () => void,
  call: () => Promise<unknown>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    before();
    const start = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return samples;
}

/** Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1)^s. */
function zipfSampler(n: number, s: number, random: SeededRandom): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank += 1) cumulative[rank] = total += 1 / (rank + 1) ** s;
  return () => {
    const target = random.next() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

async function storeEpisodes(memory: Memory, count: number, stepsPerEpisode: number): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, scripted] of generateAgentEpisodes({ episodes: count, stepsPerEpisode }).entries()) {
    const { id } = await memory.episodes.start(scripted.start);
    await memory.episodes.logSteps(id, scripted.steps);
    ids.push(id);
    if (index % 50 === 0) await turnOfEventLoop();
  }
  return ids;
}

/** Cached getEpisode against a raw lmdb-js get of the same episode, alternating, best round each. */
async function hitVersusRaw(
  context: BenchmarkContext,
  memory: Memory,
  id: string,
  episode: EpisodeWithSteps,
) {
  // The baseline: lmdb-js with its defaults (msgpack), the least work any LMDB-backed read that
  // returns the episode object can do. Its `getBinary` (bytes only, nothing decoded) is shown too.
  const raw = openLmdb<EpisodeWithSteps, string>(join(context.tempDir, 'raw-lmdb'), {});
  const key = `episode:${id}`;
  await raw.put(key, episode);
  try {
    const ours: number[] = [];
    const rawGet: number[] = [];
    const rawBytes: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      context.progress(`cache: hit vs raw get, round ${round}/${rounds}`);
      ours.push(await nsPerCall(hitIterations, () => memory.episodes.get(id)));
      rawGet.push(await nsPerCall(hitIterations, () => raw.get(key)));
      rawBytes.push(await nsPerCall(hitIterations, () => raw.getBinary(key)));
    }
    return { ours: Math.min(...ours), raw: Math.min(...rawGet), rawBytes: Math.min(...rawBytes) };
  } finally {
    await raw.close();
  }
}

async function zipfWorkload(context: BenchmarkContext, memory: Memory, ids: readonly string[]) {
  const random = new SeededRandom(20_240_613);
  const sample = zipfSampler(ids.length, zipfExponent, random);
  // Popularity independent of creation order: rank r is a random episode (Fisher-Yates).
  const byRank = [...ids];
  for (let i = byRank.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [byRank[i], byRank[j]] = [byRank[j] as string, byRank[i] as string];
  }
  const before = memory.admin.cacheStats().keyspaces.episode;
  let writes = 0;
  for (let operation = 0; operation < zipfOperations; operation += 1) {
    const id = byRank[sample()] as string;
    if (random.chance(zipfWriteShare)) {
      await memory.episodes.logStep(id, {
        action: 'run_tests auth',
        result: 'Tests 12 passed',
        success: true,
      });
      writes += 1;
    } else {
      await memory.episodes.get(id);
    }
    if (operation % 5_000 === 0)
      context.progress(`cache: zipf workload ${formatNumber(operation)}/${formatNumber(zipfOperations)}`);
    if (operation % 50 === 0) await turnOfEventLoop();
  }
  const after = memory.admin.cacheStats().keyspaces.episode;
  const hits = after.hits - before.hits;
  const misses = after.misses - before.misses;
  return { hitRate: hits / (hits + misses), hits, misses, writes };
}

export const cache: Benchmark = {
  name: 'cache',
  description: 'LMDB cache: getEpisode hit vs raw lmdb get, hit/miss latency, hit rate under a Zipf workload',

  async run(context) {
    const memory = await openMemory({ url: `file:${join(context.tempDir, 'cache-bench.db')}` });
    try {
      const [id] = await storeEpisodes(memory, 1, 20);
      const episode = (await memory.episodes.get(id as string)) as EpisodeWithSteps;
      const hit = await hitVersusRaw(context, memory, id as string, episode);
      const ratio = hit.ours / hit.raw;

      context.progress('cache: hit and miss latency');
      const hits = await latenciesUs(
        latencyHits,
        () => undefined,
        () => memory.episodes.get(id as string),
      );
      const misses = await latenciesUs(
        latencyMisses,
        () => memory.admin.invalidateCache({ episodes: [id as string] }),
        () => memory.episodes.get(id as string),
      );

      context.progress(`cache: storing ${formatNumber(zipfEpisodes)} episodes for the Zipf workload`);
      const ids = await storeEpisodes(memory, zipfEpisodes, zipfStepsPerEpisode);
      memory.admin.invalidateCache({ all: true });
      const zipf = await zipfWorkload(context, memory, ids);
      const evictions = memory.admin.cacheStats().keyspaces.episode.evictions;

      const us = (value: number) => formatNumber(value, 1);
      return {
        table: {
          title: 'cache: the LMDB cache in front of libSQL',
          columns: ['measure', 'value'],
          rows: [
            ['getEpisode, cache hit (ns/call, best of rounds)', formatNumber(hit.ours)],
            ['raw lmdb-js get of the same episode (ns/call)', formatNumber(hit.raw)],
            ['raw lmdb-js getBinary, bytes only (ns/call)', formatNumber(hit.rawBytes)],
            [
              'getEpisode hit latency p50 / p99 (us)',
              `${us(percentile(hits, 0.5))} / ${us(percentile(hits, 0.99))}`,
            ],
            [
              'getEpisode miss latency p50 / p99 (us)',
              `${us(percentile(misses, 0.5))} / ${us(percentile(misses, 0.99))}`,
            ],
            ['Zipf workload hit rate', `${(zipf.hitRate * 100).toFixed(1)} %`],
          ],
          notes: [
            `ratio ours/raw = ${ratio.toFixed(2)} (target <= ${targetRatio}: ${ratio <= targetRatio ? 'met' : 'NOT met'})`,
            `hit: one episode with 20 steps (${formatNumber(JSON.stringify(episode).length)} bytes of JSON), ${formatNumber(hitIterations)} awaited calls per round, ${rounds} rounds alternating with raw, best round each; the raw get is synchronous`,
            'raw: lmdb-js open() defaults (msgpack), the episode object stored under the same key; returns the decoded object as getEpisode does',
            `latency: ${formatNumber(latencyHits)} hits; ${formatNumber(latencyMisses)} misses, each after invalidating the episode (a miss reads libSQL and fills the cache)`,
            `Zipf: ${formatNumber(zipfEpisodes)} episodes of ${zipfStepsPerEpisode} steps, exponent ${zipfExponent}, ${formatNumber(zipfOperations)} operations of which ${formatNumber(zipf.writes)} logStep writes (each invalidates its episode), cold cache at start; ${formatNumber(zipf.hits)} hits, ${formatNumber(zipf.misses)} misses, ${formatNumber(evictions)} evictions`,
            'default cache settings (TTL 1 h, 256 MiB, compression from 16 KiB: the 20-step episode is stored plain)',
          ],
        },
        figures: {
          ours_hit_ns: Math.round(hit.ours),
          raw_get_ns: Math.round(hit.raw),
          ratio: Number(ratio.toFixed(3)),
          hit_p50_us: Number(percentile(hits, 0.5).toFixed(2)),
          hit_p99_us: Number(percentile(hits, 0.99).toFixed(2)),
          miss_p50_us: Number(percentile(misses, 0.5).toFixed(2)),
          miss_p99_us: Number(percentile(misses, 0.99).toFixed(2)),
          zipf_hit_rate: Number(zipf.hitRate.toFixed(4)),
        },
      };
    } finally {
      await memory.close();
    }
  },
};
