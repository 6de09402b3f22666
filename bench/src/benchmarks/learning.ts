import { join } from 'node:path';
import { setTimeout as sleep, setImmediate as turnOfEventLoop } from 'node:timers/promises';
import { type Memory, newId } from '@episodic/core';
import { openServingStore, openStore, parseServerConfig, type ServerConfigInput } from '@episodic/server';
import { createClient, type InStatement } from '@libsql/client';
import type { Benchmark, BenchmarkContext } from '../benchmark.js';
import { formatNumber } from '../format-table.js';
import { percentile } from '../measure.js';
import { generateAgentEpisodes, type ScriptedEpisode } from '../workloads/agent-episodes.js';
import { startSlowEmbeddingsEndpoint } from '../workloads/slow-embeddings-endpoint.js';

const targets = { completeP95Ms: 5, maxLagS: 5 };
const latencyEpisodes = 300;
const throughputEpisodes = 2_000;
const lagRatePerS = 100;
const lagSeconds = 60;
const vectorEpisodes = 100_000;
const providerDelayMs = 300;
const apiKeyEnv = 'EPISODIC_BENCH_EMBEDDINGS_KEY';
const longSteps = 1_000;
const longResultChars = 60_000;
const longBatch = 100;

/** The store `episodic serve` serves: local embeddings and the four miners, learning in a worker thread. */
function openServing(dataDir: string, settings: Partial<ServerConfigInput> = {}): Promise<Memory> {
  return openServingStore(parseServerConfig({ dataDir, ...settings }));
}

/** The same store without the thread: `learning` false only queues, true learns here (as `episodic worker`). */
function open(
  dataDir: string,
  settings: Partial<ServerConfigInput> = {},
  learning?: boolean,
): Promise<Memory> {
  return openStore(parseServerConfig({ dataDir, ...settings }), learning === undefined ? {} : { learning });
}

async function record(memory: Memory, episode: ScriptedEpisode): Promise<number> {
  const { id } = await memory.episodes.start(episode.start);
  await memory.episodes.logSteps(id, episode.steps);
  const started = performance.now();
  await memory.episodes.complete(id, episode.outcome);
  return performance.now() - started;
}

/** completeEpisode latency, p95 over `latencyEpisodes`, then how long learning took to drain. */
async function completionLatency(dataDir: string, settings: Partial<ServerConfigInput>) {
  const memory = await openServing(dataDir, settings);
  try {
    const samples: number[] = [];
    for (const episode of generateAgentEpisodes({ episodes: latencyEpisodes, stepsPerEpisode: 20 })) {
      samples.push(await record(memory, episode));
      // An agent's next call arrives through I/O: let the learners' I/O in between.
      await turnOfEventLoop();
    }
    const started = performance.now();
    const drained = await memory.learning.flush({ timeoutMs: 600_000 });
    return {
      p50: percentile(samples, 0.5),
      p95: percentile(samples, 0.95),
      drainS: (performance.now() - started) / 1000,
      failed: drained.failed,
    };
  } finally {
    await memory.close();
  }
}

/** A large tool output: numbered lines of values and names, `longResultChars` long, different per step. */
function longResult(step: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let line = 1; length < longResultChars; line += 1) {
    const text = `line ${line}: value ${(step * 31 + line * 17) % 9973} in module_${(step + line) % 211}`;
    lines.push(text);
    length += text.length + 1;
  }
  return lines.join('\n').slice(0, longResultChars);
}

/**
 * One long episode, as an agent that reads large outputs for hours writes it: `longSteps` results
 * of `longResultChars` characters (60 M characters), logged `longBatch` at a time, then completed.
 * How long each batch and `complete` hold the call (each of them the store's one writer), and how
 * long learning, which reads the whole episode, takes after it.
 */
async function longEpisode(dataDir: string) {
  const memory = await openServing(dataDir);
  try {
    const { id } = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'bench',
      context: 'a long run reading large outputs',
    });
    const batches: number[] = [];
    for (let from = 0; from < longSteps; from += longBatch) {
      const steps = Array.from({ length: longBatch }, (_, i) => ({
        action: `cat src/module_${(from + i) % 37}.py`,
        result: longResult(from + i + 1),
        success: (from + i + 1) % 7 !== 0,
      }));
      const started = performance.now();
      await memory.episodes.logSteps(id, steps);
      batches.push(performance.now() - started);
      await turnOfEventLoop();
    }
    const started = performance.now();
    await memory.episodes.complete(id, { status: 'completed' });
    const completeMs = performance.now() - started;
    await memory.learning.flush({ timeoutMs: 600_000 });
    return {
      completeMs,
      learnedS: (performance.now() - started - completeMs) / 1000,
      batchP95Ms: percentile(batches, 0.95),
    };
  } finally {
    await memory.close();
  }
}

/** Episodes queued by a store that does not learn, then learned by one that does (as `episodic worker`). */
async function throughput(dataDir: string): Promise<number> {
  const writer = await open(dataDir, {}, false);
  try {
    for (const episode of generateAgentEpisodes({
      episodes: throughputEpisodes,
      stepsPerEpisode: 20,
      seed: 7,
    }))
      await record(writer, episode);
  } finally {
    await writer.close();
  }
  const worker = await open(dataDir, {}, true);
  try {
    const started = performance.now();
    await worker.learning.flush({ timeoutMs: 600_000 });
    return throughputEpisodes / ((performance.now() - started) / 1000);
  } finally {
    await worker.close();
  }
}

/** Ingests `lagRatePerS` episodes a second for `lagSeconds` and samples the oldest pending age each second. */
async function lag(dataDir: string, context: BenchmarkContext) {
  const memory = await openServing(dataDir);
  const episodes = generateAgentEpisodes({
    episodes: lagRatePerS * lagSeconds,
    stepsPerEpisode: 20,
    seed: 11,
  });
  let maxLag = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(1_000);
      const status = await memory.learning.status();
      maxLag = Math.max(maxLag, status.oldestPendingSeconds);
      context.progress(
        `learning: lag ${status.oldestPendingSeconds.toFixed(2)} s, ${status.pending} pending`,
      );
    }
  })();
  try {
    const started = performance.now();
    let written = 0;
    // Paced to the rate, and cut at the duration: a machine that cannot write this fast shows a lower achieved rate.
    for (const [index, episode] of episodes.entries()) {
      const due = started + (index * 1000) / lagRatePerS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() - started > lagSeconds * 1000) break;
      await record(memory, episode);
      written += 1;
    }
    const achieved = written / ((performance.now() - started) / 1000);
    await memory.learning.flush({ timeoutMs: 600_000 });
    return { maxLag, achieved };
  } finally {
    sampling = false;
    await sampler;
    await memory.close();
  }
}

/**
 * Memory of the vector index at `vectorEpisodes` episodes: the rows are written directly (one
 * episode vector each, plus one per failed step at the workload's rate), then the store the
 * server opens loads them on its first retrieve, as after a restart.
 */
async function vectorMemory(dataDir: string, context: BenchmarkContext) {
  const first = await open(dataDir);
  const stamp = first.admin.embeddingModel() as string;
  await first.close();
  const dimensions = Number(stamp.split('/').at(-1));
  const url = `file:${join(dataDir, 'memory.db')}`;
  const client = createClient({ url, intMode: 'number' });
  const shapes = generateAgentEpisodes({ episodes: 1_000, stepsPerEpisode: 20, seed: 3 }).map(
    (episode) => episode.steps.filter((step) => step.success === false).length,
  );
  let vectors = 0;
  try {
    const now = new Date().toISOString();
    for (let done = 0; done < vectorEpisodes; done += 1_000) {
      const statements: InStatement[] = [];
      for (let i = done; i < done + 1_000; i += 1) {
        const id = newId();
        statements.push({
          sql: `INSERT INTO episodes (id, task_type, domain, context, status, success_rate, created_at, completed_at, embedding_version)
                VALUES (?, 'debugging', ?, 'bench', 'completed', 1, ?, ?, ?)`,
          args: [id, `domain-${i % 6}`, now, now, stamp],
        });
        const count = 1 + (shapes[i % shapes.length] as number);
        for (let v = 0; v < count; v += 1) {
          const vector = new Float32Array(dimensions);
          for (let d = 0; d < dimensions; d += 1) vector[d] = Math.random() - 0.5;
          statements.push({
            sql: `INSERT INTO embeddings (id, episode_id, content, embedding, model_name, created_at, kind)
                  VALUES (?, ?, '', ?, ?, ?, ?)`,
            args: [
              newId(),
              id,
              new Uint8Array(vector.buffer),
              stamp,
              now,
              v === 0 ? 'episode' : 'step_error',
            ],
          });
        }
        vectors += count;
      }
      await client.batch(statements, 'write');
      if (done % 20_000 === 0)
        context.progress(`learning: ${formatNumber(done)} episodes of vectors written`);
    }
  } finally {
    client.close();
  }
  const memory = await open(dataDir, {}, false);
  try {
    global.gc?.();
    const before = process.memoryUsage();
    await memory.search.retrieve({ text: 'bench' });
    global.gc?.();
    const after = process.memoryUsage();
    const index = memory.admin.cacheStats().vectorIndex;
    const measured =
      after.heapUsed +
      after.arrayBuffers +
      after.external -
      (before.heapUsed + before.arrayBuffers + before.external);
    return {
      vectors,
      reportedBytes: index?.bytes ?? 0,
      measuredBytes: measured,
    };
  } finally {
    await memory.close();
  }
}

export const learning: Benchmark = {
  name: 'learning',
  description:
    'learning off the write path: completion latency with a slow and a local provider, learning throughput, lag at 100 episodes/s, one long episode of large outputs, vector memory at 100k',
  async run(context) {
    process.env[apiKeyEnv] ??= 'bench';
    const endpoint = await startSlowEmbeddingsEndpoint(providerDelayMs);
    let remote: Awaited<ReturnType<typeof completionLatency>>;
    try {
      context.progress(
        `learning: ${latencyEpisodes} completions, openai provider answering in ${providerDelayMs} ms`,
      );
      remote = await completionLatency(join(context.tempDir, 'openai'), {
        embeddings: 'openai',
        embeddingsUrl: endpoint.url,
        embeddingsModel: 'bench-embed',
        embeddingsDimensions: 384,
        embeddingsApiKeyEnv: apiKeyEnv,
      });
    } finally {
      await endpoint.close();
    }
    context.progress(`learning: ${latencyEpisodes} completions, local provider`);
    const local = await completionLatency(join(context.tempDir, 'local'), {});
    context.progress(`learning: ${formatNumber(throughputEpisodes)} queued episodes learned by a worker`);
    const learnedPerS = await throughput(join(context.tempDir, 'throughput'));
    context.progress(`learning: ${lagRatePerS} episodes/s for ${lagSeconds} s`);
    const sustained = await lag(join(context.tempDir, 'lag'), context);
    context.progress(
      `learning: one episode of ${formatNumber(longSteps)} results of ${formatNumber(longResultChars)} characters`,
    );
    const long = await longEpisode(join(context.tempDir, 'long'));
    context.progress(`learning: vector index at ${formatNumber(vectorEpisodes)} episodes`);
    const memory = await vectorMemory(join(context.tempDir, 'vectors'), context);
    const bytesPerEpisode = memory.reportedBytes / vectorEpisodes;

    return {
      table: {
        title:
          'learning: off the write path (the store `episodic serve` opens: local embeddings, four miners)',
        columns: ['figure', 'value', 'target'],
        rows: [
          [
            'completeEpisode p95, openai provider at 300 ms (ms)',
            remote.p95.toFixed(2),
            `≤ ${targets.completeP95Ms}`,
          ],
          ['completeEpisode p95, local provider (ms)', local.p95.toFixed(2), `≤ ${targets.completeP95Ms}`],
          ['learned episodes per second (worker, local + four miners)', learnedPerS.toFixed(1), ''],
          [
            `max lag at ${lagRatePerS} episodes/s for ${lagSeconds} s (s)`,
            sustained.maxLag.toFixed(2),
            `≤ ${targets.maxLagS}`,
          ],
          [
            `long episode (${formatNumber(longSteps)} × ${formatNumber(longResultChars)} chars): logSteps of ${longBatch}, p95 (ms)`,
            long.batchP95Ms.toFixed(1),
            '',
          ],
          ['long episode: completeEpisode (ms)', long.completeMs.toFixed(1), ''],
          ['long episode: learned after completion (s)', long.learnedS.toFixed(2), ''],
          [
            'vector index bytes per episode at 100k (reported)',
            formatNumber(Math.round(bytesPerEpisode)),
            '',
          ],
          [
            'vector index bytes per episode at 100k (process memory delta)',
            formatNumber(Math.round(memory.measuredBytes / vectorEpisodes)),
            '',
          ],
        ],
        notes: [
          `${latencyEpisodes} episodes of 20 steps per latency run; the p95 is of completeEpisode alone; p50 ${remote.p50.toFixed(2)} / ${local.p50.toFixed(2)} ms`,
          `learning drained ${remote.drainS.toFixed(1)} s (openai) / ${local.drainS.toFixed(1)} s (local) after the last completion; failed rows ${remote.failed} / ${local.failed}`,
          `lag run: ${sustained.achieved.toFixed(1)} episodes/s achieved; lag = age of the oldest queued episode, sampled every second`,
          `vectors: ${formatNumber(memory.vectors)} (${(memory.vectors / vectorEpisodes).toFixed(2)} per episode: one per episode, one per failed step), 384 dimensions`,
          'timings on a shared machine are noisy',
        ],
      },
      figures: {
        complete_p95_ms: Number(remote.p95.toFixed(3)),
        complete_p95_ms_local: Number(local.p95.toFixed(3)),
        learned_episodes_per_s: Number(learnedPerS.toFixed(1)),
        max_lag_s: Number(sustained.maxLag.toFixed(2)),
        long_log_batch_p95_ms: Number(long.batchP95Ms.toFixed(1)),
        long_complete_ms: Number(long.completeMs.toFixed(1)),
        long_learned_s: Number(long.learnedS.toFixed(2)),
        vector_bytes_per_episode: Math.round(bytesPerEpisode),
        vector_bytes_per_episode_measured: Math.round(memory.measuredBytes / vectorEpisodes),
        vectors_per_episode: Number((memory.vectors / vectorEpisodes).toFixed(2)),
      },
    };
  },
};
