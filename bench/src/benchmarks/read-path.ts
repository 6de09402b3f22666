import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import Libsql from 'libsql';
import type { Benchmark, BenchmarkContext } from '../benchmark.js';
import { formatNumber } from '../format-table.js';
import { percentile } from '../measure.js';
import { SeededRandom } from '../workloads/random.js';
import { VariedEpisodes } from '../workloads/varied-episodes.js';
import { insertEpisodes } from './retrieval-speed.js';

const episodeCount = 100_000;
/** As retrieval-speed writes them (`insertEpisodes`). */
const stepsPerEpisode = 5;
const missSamples = 2_000;
const queryCount = 200;
const rounds = 2;

type Driver = 'native' | 'client';
const drivers: readonly Driver[] = ['native', 'client'];

/**
 * Fills a store created by `openMemory` (so schema, indexes and FTS triggers are the engine's)
 * with finished episodes, the way the retrieval-speed benchmark does; returns a random sample of
 * their ids.
 */
async function fillStore(url: string, workload: VariedEpisodes): Promise<string[]> {
  await (await openMemory({ url, cache: false })).close();
  await insertEpisodes(url, workload, episodeCount, Date.now());
  const db = new Libsql(url.slice('file:'.length));
  try {
    const rows = db.prepare('SELECT id FROM episodes ORDER BY id').pluck().all() as string[];
    const random = new SeededRandom(11);
    return Array.from({ length: missSamples }, () => random.pick(rows));
  } finally {
    db.close();
  }
}

/** Latencies in ms of `call` on each input, after ten untimed calls. */
async function latencies<T>(inputs: readonly T[], call: (input: T) => Promise<unknown>): Promise<number[]> {
  for (const input of inputs.slice(0, 10)) await call(input);
  const samples: number[] = [];
  for (const input of inputs) {
    const started = performance.now();
    await call(input);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function measureDriver(
  context: BenchmarkContext,
  url: string,
  localDriver: Driver,
  missIds: readonly string[],
  queries: readonly string[],
) {
  const cached = await openMemory({
    url,
    localDriver,
    cache: { path: join(context.tempDir, `cache-${localDriver}`) },
  });
  let misses: number[];
  try {
    // Invalidated first, so that every read goes to libSQL and then fills the cache: a miss as users get it.
    misses = await latencies(missIds, async (id) => {
      cached.admin.invalidateCache({ episodes: [id] });
      await cached.episodes.get(id);
    });
  } finally {
    await cached.close();
  }
  const uncached = await openMemory({ url, localDriver, cache: false });
  try {
    const retrieves = await latencies(queries, (text) => uncached.search.retrieve({ text, limit: 10 }));
    return { misses, retrieves };
  } finally {
    await uncached.close();
  }
}

export const readPath: Benchmark = {
  name: 'read-path',
  description: `cache-miss getEpisode p50 and retrieve p95 at ${formatNumber(episodeCount)} episodes, native libsql driver vs @libsql/client`,

  async run(context) {
    const url = `file:${join(context.tempDir, 'read-path.db')}`;
    const workload = new VariedEpisodes();
    context.progress(`read-path: writing ${formatNumber(episodeCount)} episodes x ${stepsPerEpisode} steps`);
    const missIds = await fillStore(url, workload);
    const queries = Array.from({ length: queryCount }, () => workload.query());

    const samples: Record<Driver, { misses: number[]; retrieves: number[] }> = {
      native: { misses: [], retrieves: [] },
      client: { misses: [], retrieves: [] },
    };
    for (let round = 1; round <= rounds; round += 1) {
      // Alternating which driver goes first spreads drift (other processes, page cache) over both.
      const order = round % 2 === 1 ? drivers : [...drivers].reverse();
      for (const driver of order) {
        context.progress(`read-path: round ${round}/${rounds}, ${driver}`);
        const measured = await measureDriver(context, url, driver, missIds, queries);
        samples[driver].misses.push(...measured.misses);
        samples[driver].retrieves.push(...measured.retrieves);
      }
    }

    const figure = (driver: Driver) => ({
      missP50Ms: percentile(samples[driver].misses, 0.5),
      missP99Ms: percentile(samples[driver].misses, 0.99),
      retrieveP50Ms: percentile(samples[driver].retrieves, 0.5),
      retrieveP95Ms: percentile(samples[driver].retrieves, 0.95),
    });
    const native = figure('native');
    const client = figure('client');
    const row = (label: string, f: typeof native) => [
      label,
      (f.missP50Ms * 1000).toFixed(0),
      (f.missP99Ms * 1000).toFixed(0),
      f.retrieveP50Ms.toFixed(2),
      f.retrieveP95Ms.toFixed(2),
    ];
    return {
      table: {
        title: `read-path: ${formatNumber(episodeCount)} episodes x ${stepsPerEpisode} steps, the same file read through each local driver`,
        columns: ['driver', 'getEpisode miss p50 µs', 'miss p99 µs', 'retrieve p50 ms', 'retrieve p95 ms'],
        rows: [
          row('after: native libsql, statements prepared once (default)', native),
          row('before: @libsql/client (localDriver: client)', client),
        ],
        notes: [
          `getEpisode miss: ${formatNumber(missSamples)} random episodes per round, each invalidated in the LMDB cache first, so the read goes to libSQL (episode + steps) and fills the cache`,
          `retrieve: ${queryCount} distinct queries (Zipf-distributed words) with limit 10, cache off, openMemory defaults otherwise (full text, recency, outcome; no embedding provider)`,
          `${rounds} rounds alternating which driver goes first; percentiles over all rounds' samples; openMemory with only localDriver differing`,
        ],
      },
      figures: {
        miss_p50_us: Math.round(native.missP50Ms * 1000),
        client_miss_p50_us: Math.round(client.missP50Ms * 1000),
        retrieve_p95_ms: Number(native.retrieveP95Ms.toFixed(2)),
        client_retrieve_p95_ms: Number(client.retrieveP95Ms.toFixed(2)),
      },
    };
  },
};
