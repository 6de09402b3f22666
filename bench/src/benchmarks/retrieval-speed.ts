import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Memory, newId, openMemory, VectorMatrix } from '@episodic/core';
import { createLocalEmbeddings } from '@episodic/embeddings-local';
import { createClient, type InStatement } from '@libsql/client';
import { BenchError } from '../bench-error.js';
import type { Benchmark, BenchmarkContext } from '../benchmark.js';
import { formatNumber } from '../format-table.js';
import { percentile } from '../measure.js';
import {
  type ConversationTimes,
  measurePooledStore,
  measureRealStores,
  timeRetrieve,
} from '../workloads/conversation-speed.js';
import { RetrieveStages, type Stage } from '../workloads/retrieve-stages.js';
import { VariedEpisodes } from '../workloads/varied-episodes.js';

/**
 * The two store sizes: `EPISODIC_SPEED_EPISODES` (default 100,000) and a tenth of it. On a slow or
 * shared machine a smaller size keeps the run short; the figures keep their `_100k` names and
 * `episodes_large` says what was measured.
 */
export function storeSizes(env: NodeJS.ProcessEnv = process.env): readonly [number, number] {
  const large = Number(env.EPISODIC_SPEED_EPISODES ?? 100_000);
  if (!Number.isInteger(large) || large < 1_000)
    throw new BenchError(
      'USAGE',
      `EPISODIC_SPEED_EPISODES must be an integer of at least 1000, got "${env.EPISODIC_SPEED_EPISODES}"`,
    );
  return [Math.round(large / 10), large];
}
const stepsPerEpisode = 5;
const queryCount = 200;
const targetGrowth = 3;
const targetVectorP95Ms = 20;
const recallSample = 50;
const targetRealP95Ms = 10;
/**
 * The task-text case: queries as long as an issue or a user's request (150–250 words, ~130
 * distinct), asked the way `withMemory` (@episodic/ai-sdk) asks at the start of a run: the whole
 * task text, one domain, `limit` 6 and 5 patterns.
 */
const taskTextCount = 60;
const taskTextWords = [150, 250] as const;
/** Writes `count` finished episodes with their steps as raw INSERTs, 500 episodes per transaction. */
export async function insertEpisodes(
  url: string,
  workload: VariedEpisodes,
  count: number,
  now: number,
): Promise<void> {
  const client = createClient({ url, intMode: 'number' });
  try {
    await client.execute('PRAGMA synchronous = NORMAL');
    for (let done = 0; done < count; done += 500) {
      const statements: InStatement[] = [];
      for (let i = done; i < Math.min(count, done + 500); i += 1) {
        const episode = workload.episode(stepsPerEpisode, now);
        const id = newId();
        const successRate = episode.steps.filter((step) => step.success).length / episode.steps.length;
        statements.push({
          sql: `INSERT INTO episodes (id, task_type, domain, context, status, success_rate, created_at, completed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          args: [
            id,
            episode.taskType,
            episode.domain,
            episode.context,
            successRate >= 0.8 ? 'completed' : 'failed',
            successRate,
            episode.createdAt,
            episode.createdAt,
          ],
        });
        // What the engine's write path indexes for the whole episode (`episode_docs_fts`).
        statements.push({
          sql: 'INSERT OR REPLACE INTO episode_docs_fts (rowid, head, body) SELECT rowid, ?, ? FROM episodes WHERE id = ?',
          args: [
            episode.context,
            episode.steps.map((step) => `${step.action}\n${step.result}`).join('\n'),
            id,
          ],
        });
        episode.steps.forEach((step, index) =>
          statements.push({
            sql: `INSERT INTO steps (id, episode_id, step_number, action, result, duration_ms, success, timestamp)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            args: [
              newId(),
              id,
              index + 1,
              step.action,
              step.result,
              step.durationMs,
              step.success ? 1 : 0,
              episode.createdAt,
            ],
          }),
        );
      }
      await client.batch(statements, 'write');
      await yieldToEventLoop();
    }
  } finally {
    client.close();
  }
}

async function timeQueries(
  memory: Memory,
  queries: readonly string[],
  repeat: boolean,
  domain?: (index: number) => string,
  stages?: RetrieveStages,
): Promise<number[]> {
  const latencies: number[] = [];
  for (const [index, text] of queries.entries()) {
    const input = { text, limit: 10, domain: domain?.(index) };
    await timeRetrieve(memory, input, { count: 1, warmUp: repeat }, latencies, stages);
  }
  return latencies;
}

/** How an agent's steps reach the store between its retrieves. */
type StepWrite = 'logSteps' | 'record';

/**
 * Each query right after one step is written to a running episode, as an agent asks between its
 * steps: by `logSteps` (the SDK's path), or by `episodes.record` with the episode's and the
 * step's ids (the OTLP endpoint's). A write changes the full-text indexes, and what retrieve keeps
 * between calls (document counts) must survive it for the figures above to hold on this path.
 * The steps' words come from their own generator, so the stores' episodes stay the same as
 * without this case.
 */
async function timeAfterWrites(
  memory: Memory,
  queries: readonly string[],
  write: StepWrite,
): Promise<number[]> {
  const words = new VariedEpisodes(11);
  const start = { taskType: 'debugging', domain: 'service-0', context: words.query() };
  const id = write === 'logSteps' ? (await memory.episodes.start(start)).id : newId();
  if (write === 'record') await memory.episodes.record([{ ...start, id }]);
  const latencies: number[] = [];
  for (const text of queries) {
    const step = { action: `run_tests ${words.word()}`, result: words.sentence(10, 25) };
    if (write === 'logSteps') await memory.episodes.logSteps(id, [step]);
    else
      await memory.episodes.record([
        { id, taskType: start.taskType, domain: start.domain, steps: [{ ...step, id: newId() }] },
      ]);
    await timeRetrieve(memory, { text, limit: 10 }, { count: 1, warmUp: false }, latencies);
  }
  return latencies;
}

interface SizeFigures {
  episodes: number;
  indexLoadMs: number;
  reindexS: number;
  uncached: number[];
  /** Cache off, each query filtered to one of the 20 domains. */
  filtered: number[];
  /** Cache off, a step logged to a running episode before each query: an agent's loop. */
  afterWrite: number[];
  /** The same with each step sent by `episodes.record` (the OTLP endpoint's path). */
  afterRecord: number[];
  /** Cache off, whole task texts as `withMemory` asks (`taskTextCount`); empty for the small store. */
  taskText: number[];
  taskTextStages: [Stage, number][];
  cached: number[];
  /** Mean milliseconds per stage of the uncached queries. */
  stages: [Stage, number][];
}

async function measureSize(
  context: BenchmarkContext,
  url: string,
  episodes: number,
  queries: readonly string[],
  stages: RetrieveStages,
  taskTexts: readonly string[],
): Promise<SizeFigures> {
  const embeddings = createLocalEmbeddings();
  const writer = await openMemory({ url, cache: false });
  const reindexStarted = performance.now();
  await writer.admin.reindex(embeddings, { batchSize: 256 });
  const reindexS = (performance.now() - reindexStarted) / 1000;
  await writer.close();

  context.progress(`retrieval-speed: ${formatNumber(episodes)} episodes, cache off`);
  const uncachedMemory = await openMemory({ url, cache: false, embeddings });
  const loadStarted = performance.now();
  await uncachedMemory.search.retrieve({ text: 'warm up the vector index', limit: 10 });
  const indexLoadMs = performance.now() - loadStarted;
  // A few untimed queries so that JIT and page cache are warm for both sizes alike.
  for (const text of queries.slice(0, 10)) await uncachedMemory.search.retrieve({ text, limit: 10 });
  const uncached = await timeQueries(uncachedMemory, queries, false, undefined, stages);
  const uncachedStages = stages.take();
  const filtered = await timeQueries(uncachedMemory, queries, false, (index) => `service-${index % 20}`);
  const afterWrite = await timeAfterWrites(uncachedMemory, queries, 'logSteps');
  const afterRecord = await timeAfterWrites(uncachedMemory, queries, 'record');
  const taskText: number[] = [];
  for (const [index, text] of taskTexts.entries()) {
    const input = { text, domain: `service-${index % 20}`, limit: 6, patterns: 5 };
    await timeRetrieve(uncachedMemory, input, { count: 1, warmUp: false }, taskText, stages);
  }
  const taskTextStages = stages.take();
  await uncachedMemory.close();

  context.progress(`retrieval-speed: ${formatNumber(episodes)} episodes, cache hits`);
  const cachedMemory = await openMemory({ url, cache: { path: join(context.tempDir, 'cache') }, embeddings });
  const cached = await timeQueries(cachedMemory, queries, true);
  await cachedMemory.close();
  return {
    episodes,
    indexLoadMs,
    reindexS,
    uncached,
    filtered,
    afterWrite,
    afterRecord,
    taskText,
    taskTextStages,
    cached,
    stages: uncachedStages,
  };
}

/** Top-10 over the store's episode vectors with VectorMatrix (what retrieve scans), and its recall against an exact float scan. */
async function measureVectorTopK(url: string, queries: readonly string[]) {
  const client = createClient({ url, intMode: 'number' });
  const dimensions = createLocalEmbeddings().dimensions;
  const matrix = new VectorMatrix(dimensions);
  const vectors: Float32Array[] = [];
  try {
    for (let after = 0; ; ) {
      const page = await client.execute({
        sql: "SELECT rowid, embedding FROM embeddings WHERE kind = 'episode' AND rowid > ? ORDER BY rowid LIMIT 5000",
        args: [after],
      });
      for (const row of page.rows) {
        const vector = new Float32Array((row.embedding as ArrayBuffer).slice(0));
        vectors.push(vector);
        matrix.append(vector);
        after = Number(row.rowid);
      }
      if (page.rows.length < 5000) break;
    }
  } finally {
    client.close();
  }
  const queryVectors = (await createLocalEmbeddings().embed(queries)).map((vector) => {
    const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
    return vector.map((value) => value / norm);
  });
  const latencies: number[] = [];
  let recall = 0;
  for (const [index, query] of queryVectors.entries()) {
    const started = performance.now();
    const hits = matrix.search(query, null, 10);
    latencies.push(performance.now() - started);
    // An exact scan in plain JavaScript takes ~0.3 s per query: recall is checked on a sample.
    if (index >= recallSample) continue;
    const exact = vectors
      .map(
        (vector, row) =>
          [vector.reduce((sum, value, d) => sum + value * (query[d] as number), 0), row] as const,
      )
      .sort((a, b) => b[0] - a[0])
      .slice(0, 10)
      .map(([, row]) => row);
    recall += hits.filter((hit) => exact.includes(hit.row)).length / 10;
  }
  return {
    rows: vectors.length,
    dimensions,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    recall: recall / recallSample,
  };
}

/** Texts per second of the local provider on episode-sized texts (about 700 characters). */
async function measureEmbeddingThroughput(workload: VariedEpisodes): Promise<number> {
  const texts = Array.from({ length: 5_000 }, () => {
    const episode = workload.episode(stepsPerEpisode, Date.now());
    return [episode.context, ...episode.steps.map((step) => `${step.action}: ${step.result}`)].join('\n');
  });
  const provider = createLocalEmbeddings();
  await provider.embed(texts.slice(0, 200));
  const started = performance.now();
  await provider.embed(texts);
  return texts.length / ((performance.now() - started) / 1000);
}

const stageList = (stages: [Stage, number][]) =>
  stages.map(([stage, ms]) => `${stage} ${ms.toFixed(2)}`).join(', ');

export const retrievalSpeed: Benchmark = {
  name: 'retrieval-speed',
  description: 'retrieve p50/p95 at 10,000 and 100,000 episodes (cache off, cache hit), growth, vector top-k',

  async run(context) {
    const url = `file:${join(context.tempDir, 'speed.db')}`;
    // openMemory creates the exact schema (tables, indexes, FTS triggers); the rows then go in raw.
    await (await openMemory({ url, cache: false })).close();
    const workload = new VariedEpisodes();
    const queries = Array.from({ length: queryCount }, () => workload.query());
    const now = Date.now();
    const textsPerSecond = await measureEmbeddingThroughput(new VariedEpisodes(7));

    // Installed before any store opens: it times the statements of the driver the engine uses.
    const stages = new RetrieveStages();
    const figures: SizeFigures[] = [];
    let stored = 0;
    const sizes = storeSizes();
    for (const size of sizes) {
      context.progress(
        `retrieval-speed: writing ${formatNumber(size - stored)} episodes (raw batched INSERTs)`,
      );
      await insertEpisodes(url, workload, size - stored, now);
      stored = size;
      // Drawn after the last store is written, so its episodes are those of every earlier run.
      const taskTexts =
        size === sizes[1]
          ? Array.from({ length: taskTextCount }, () => workload.sentence(...taskTextWords))
          : [];
      figures.push(await measureSize(context, url, size, queries, stages, taskTexts));
    }
    context.progress('retrieval-speed: real conversations (LongMemEval_S stores)');
    const real = await measureRealStores(context, stages);
    context.progress(
      'retrieval-speed: pooled conversations (every LongMemEval_S evidence session in one store)',
    );
    const evidence = await measurePooledStore(context, stages, 'evidence');
    context.progress('retrieval-speed: pooled conversations (every LongMemEval_S session in one store)');
    const haystack = await measurePooledStore(context, stages, 'haystack');
    context.progress("retrieval-speed: vector top-k over the large store's episode vectors");
    const vector = await measureVectorTopK(url, queries);

    const [small, large] = figures as [SizeFigures, SizeFigures];
    const p50 = (samples: number[]) => percentile(samples, 0.5);
    const p95 = (samples: number[]) => percentile(samples, 0.95);
    const growth = p50(large.uncached) / p50(small.uncached);
    const ms = (value: number) => value.toFixed(2);
    const sides = (times: ConversationTimes) =>
      `p50 ${ms(times.default.p50)} ms, p95 ${ms(times.default.p95)} ms; the same without a provider (full text only) p50 ${ms(times.textOnly.p50)} ms, p95 ${ms(times.textOnly.p95)} ms; plain FTS5 BM25 over each session's whole text p50 ${ms(times.bm25.p50)} ms, p95 ${ms(times.bm25.p95)} ms`;
    return {
      table: {
        title: `retrieval-speed: retrieve({ text, limit: 10 }) with the local provider (384 dimensions), ${queryCount} queries per size`,
        columns: [
          'store',
          'p50 ms',
          'p95 ms',
          'filtered p95 ms',
          'after a write p50 / p95 ms',
          'after a record p50 / p95 ms',
          'cached p50 ms',
          'cached p95 ms',
          'index load ms',
          'reindex s',
        ],
        rows: figures.map((size) => [
          `${formatNumber(size.episodes)} episodes x ${stepsPerEpisode} steps`,
          ms(p50(size.uncached)),
          ms(p95(size.uncached)),
          ms(p95(size.filtered)),
          `${ms(p50(size.afterWrite))} / ${ms(p95(size.afterWrite))}`,
          `${ms(p50(size.afterRecord))} / ${ms(p95(size.afterRecord))}`,
          ms(p50(size.cached)),
          ms(p95(size.cached)),
          formatNumber(size.indexLoadMs),
          size.reindexS.toFixed(1),
        ]),
        notes: [
          `growth ${formatNumber(small.episodes)} -> ${formatNumber(large.episodes)}: p50 x${growth.toFixed(2)}, p95 x${(p95(large.uncached) / p95(small.uncached)).toFixed(2)} (target <= ${targetGrowth}: ${growth <= targetGrowth ? 'met' : 'NOT met'})`,
          `vector top-10 over ${formatNumber(vector.rows)} x ${vector.dimensions} (int8 SIMD scan + float32 re-score): p50 ${ms(vector.p50)} ms, p95 ${ms(vector.p95)} ms, recall@10 vs exact float scan ${vector.recall.toFixed(3)} (${recallSample} queries) (target p95 <= ${targetVectorP95Ms} ms: ${vector.p95 <= targetVectorP95Ms ? 'met' : 'NOT met'})`,
          `local embeddings: ${formatNumber(textsPerSecond)} texts/s on episode-sized texts (~700 characters), one core`,
          'episodes and steps written with raw batched INSERTs into a store created by openMemory, then embedded by memory.admin.reindex()',
          'cache off: openMemory({ cache: false }); cached: the same queries repeated on an LMDB-cached store, second call timed',
          `real text: ${real.stores} LongMemEval_S stores (one question each, ~50 chat sessions, warm, as episodic serve ships retrieve but with the cache off: each text is asked once, so the cache could only miss, and a miss's key and fill are not timed): ${sides(real)} (target p95 <= ${targetRealP95Ms}: ${real.default.p95 <= targetRealP95Ms ? 'met' : 'NOT met'})`,
          `real text, mean ms per retrieve by stage: ${stageList(real.default.stages)}`,
          `pooled real text, one store of the ${formatNumber(evidence.sessions)} sessions some question needs, every question asked once: ${sides(evidence)}; by stage: ${stageList(evidence.default.stages)}`,
          `pooled real text, one store of all ${formatNumber(haystack.sessions)} sessions, every question asked once: ${sides(haystack)}; by stage: ${stageList(haystack.default.stages)}`,
          `${formatNumber(large.episodes)} episodes (cache off), mean ms per retrieve by stage: ${stageList(large.stages)}`,
          `task texts: ${taskTextCount} queries of ${taskTextWords[0]}–${taskTextWords[1]} words (about as long as an issue), each with one domain, limit 6 and 5 patterns, as withMemory (@episodic/ai-sdk) asks at the start of a run, ${formatNumber(large.episodes)} episodes, cache off: p50 ${ms(p50(large.taskText))} ms, p95 ${ms(p95(large.taskText))} ms (no target); by stage: ${stageList(large.taskTextStages)}`,
          "stages: SQL statements timed in the native driver and sorted by what they do (the learning queue is the in-process learner polling, background work that ran during the call); the rest is JavaScript (query embedding, vector scan, expansion word counting, fusion) and waiting for the CPU, and for the reads aside: in a store of 10,000 step rows or more the step ranking and the expanded query run on the read worker's thread (`Database.readAside`), untimed here",
          'filtered: the same queries with domain set to one of the 20 domains (about 5% of the episodes each)',
          'after a write: the same queries, each right after memory.episodes.logSteps() of one step to a running episode (an agent asking between its steps); after a record: the step sent by memory.episodes.record() with the episode id and its own id instead, as the OTLP traces endpoint writes spans',
          'vocabulary: 40,000 synthetic words drawn Zipf-like; about 1 step in 8 failed (each failed step has its own vector)',
        ],
      },
      figures: {
        episodes_large: large.episodes,
        p50_ms_10k: Number(ms(p50(small.uncached))),
        p95_ms_10k: Number(ms(p95(small.uncached))),
        p50_ms_100k: Number(ms(p50(large.uncached))),
        p95_ms_100k: Number(ms(p95(large.uncached))),
        p95_ms_100k_filtered: Number(ms(p95(large.filtered))),
        p50_ms_100k_after_write: Number(ms(p50(large.afterWrite))),
        p95_ms_100k_after_write: Number(ms(p95(large.afterWrite))),
        p50_ms_100k_after_record: Number(ms(p50(large.afterRecord))),
        p95_ms_100k_after_record: Number(ms(p95(large.afterRecord))),
        p50_ms_100k_task_text: Number(ms(p50(large.taskText))),
        p95_ms_100k_task_text: Number(ms(p95(large.taskText))),
        real_p50_ms: Number(ms(real.default.p50)),
        real_p95_ms: Number(ms(real.default.p95)),
        real_textonly_p95_ms: Number(ms(real.textOnly.p95)),
        real_bm25_p95_ms: Number(ms(real.bm25.p95)),
        pooled_evidence_p50_ms: Number(ms(evidence.default.p50)),
        pooled_evidence_p95_ms: Number(ms(evidence.default.p95)),
        pooled_evidence_bm25_p95_ms: Number(ms(evidence.bm25.p95)),
        pooled_haystack_p50_ms: Number(ms(haystack.default.p50)),
        pooled_haystack_p95_ms: Number(ms(haystack.default.p95)),
        pooled_haystack_bm25_p95_ms: Number(ms(haystack.bm25.p95)),
        cached_p50_ms: Number(p50(large.cached).toFixed(3)),
        growth_10k_to_100k: Number(growth.toFixed(2)),
        vector_topk_p95_ms: Number(ms(vector.p95)),
        vector_topk_p50_ms: Number(ms(vector.p50)),
        vector_topk_recall_at_10: Number(vector.recall.toFixed(3)),
        local_embed_texts_per_s: Math.round(textsPerSecond),
      },
    };
  },
};
