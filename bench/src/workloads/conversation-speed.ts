import { join } from 'node:path';
import { type Memory, openMemory, type RetrieveInput } from '@episodic/core';
import { createLocalEmbeddings } from '@episodic/embeddings-local';
import type { BenchmarkContext } from '../benchmark.js';
import { datasetPath } from '../datasets.js';
import { percentile } from '../measure.js';
import { openPlainBm25, type PlainBm25 } from '../plain-bm25.js';
import {
  type LongMemEvalInstance,
  loadLongMemEval,
  longMemEvalQuery,
  type PoolKind,
  pooledSessions,
} from './longmemeval.js';
import { buildLongMemEvalStore, sessionText } from './retrieval-stores.js';
import type { RetrieveStages, Stage } from './retrieve-stages.js';

/** p50/p95 of the samples and the mean milliseconds of each retrieve stage over them. */
export interface Timed {
  p50: number;
  p95: number;
  stages: [Stage, number][];
}

/** The same questions timed three ways on the same sessions. */
export interface ConversationTimes {
  /** Stores timed, and the sessions in each (the largest when they differ). */
  stores: number;
  sessions: number;
  /** As `episodic serve` ships retrieve (the local provider, default settings, patterns included), but with the cache off. */
  default: Timed;
  /** The same store opened without a provider: full text only. */
  textOnly: Timed;
  /** Plain FTS5 BM25 over each session's whole text: one query, no fusion, the floor. */
  bm25: Timed;
}

/** `count` retrieve calls of `input`, after an untimed one when `warmUp`, each added to `samples` and `stages`. */
export async function timeRetrieve(
  memory: Memory,
  input: RetrieveInput,
  { count, warmUp }: { count: number; warmUp: boolean },
  samples: number[],
  stages?: RetrieveStages,
): Promise<void> {
  if (warmUp) await memory.search.retrieve(input);
  for (let repeat = 0; repeat < count; repeat += 1) {
    stages?.begin();
    const started = performance.now();
    await memory.search.retrieve(input);
    const elapsed = performance.now() - started;
    stages?.end(elapsed);
    samples.push(elapsed);
  }
}

export const summary = (samples: number[], stages: RetrieveStages | null): Timed => ({
  p50: percentile(samples, 0.5),
  p95: percentile(samples, 0.95),
  stages: stages?.take() ?? [],
});

/** LongMemEval_S stores timed for the real-text figure; each is built through the engine. */
const realStores = 20;

/** One store of sessions through the engine, the same file without a provider, and plain BM25 beside them. */
async function openSides(context: BenchmarkContext, name: string, sessions: LongMemEvalInstance['sessions']) {
  const url = `file:${join(context.tempDir, `${name}.db`)}`;
  const built = await buildLongMemEvalStore(url, sessions, {
    embeddings: createLocalEmbeddings(),
    cache: false,
  });
  const plain = await openMemory({ url, cache: false });
  const baseline: PlainBm25 = await openPlainBm25(`file:${join(context.tempDir, `${name}-bm25.db`)}`);
  await baseline.add(sessions.map((session) => ({ id: session.id, text: sessionText(session) })));
  return {
    warmUp: async (input: RetrieveInput) => {
      for (const memory of [built.memory, plain]) await memory.search.retrieve(input);
      await baseline.search(input.text, input.limit ?? 10);
    },
    /** Times one question on each side, once, in the same order every time. */
    time: async (
      input: RetrieveInput,
      into: Record<'default' | 'textOnly' | 'bm25', number[]>,
      stages: RetrieveStages,
    ) => {
      await timeRetrieve(built.memory, input, { count: 1, warmUp: false }, into.default, stages);
      await timeRetrieve(plain, input, { count: 1, warmUp: false }, into.textOnly);
      const started = performance.now();
      await baseline.search(input.text, input.limit ?? 10);
      into.bm25.push(performance.now() - started);
    },
    close: async () => {
      baseline.close();
      await plain.close();
      await built.memory.close();
    },
  };
}

const emptySamples = () => ({ default: [] as number[], textOnly: [] as number[], bm25: [] as number[] });

/**
 * retrieve on real conversations: one store per LongMemEval_S question (its ~50 sessions), asked
 * its own question and four other stores' questions, once each, after one untimed warm-up with a
 * sixth: no text is timed twice, so document counts kept between retrieves (`TermCounts`) help only
 * as they would across an agent's different queries between two writes.
 */
export async function measureRealStores(
  context: BenchmarkContext,
  stages: RetrieveStages,
): Promise<ConversationTimes> {
  const instances = loadLongMemEval(datasetPath('longmemeval-s')).slice(0, realStores);
  const samples = emptySamples();
  let sessions = 0;
  for (const [index, instance] of instances.entries()) {
    const sides = await openSides(context, `real-${index}`, instance.sessions);
    sessions = Math.max(sessions, instance.sessions.length);
    try {
      const { at, limit } = longMemEvalQuery(instance, 10);
      const [warmUp, ...asked] = [5, 0, 1, 2, 3, 4].map(
        (offset) => longMemEvalQuery(instances[(index + offset) % instances.length] ?? instance, 10).text,
      );
      await sides.warmUp({ text: warmUp ?? '', at, limit });
      for (const text of asked) await sides.time({ text, at, limit }, samples, stages);
    } finally {
      await sides.close();
    }
  }
  return {
    stores: instances.length,
    sessions,
    default: summary(samples.default, stages),
    textOnly: summary(samples.textOnly, null),
    bm25: summary(samples.bm25, null),
  };
}

/** Questions asked untimed before a pooled store's timed ones: the first retrieves load the vector index. */
const pooledWarmUps = 5;

/**
 * retrieve on one store of every LongMemEval_S instance's sessions, pooled (`pooledSessions` of both
 * splits: `evidence`, the sessions some question needs, as the held-out pooled oracle sessions of
 * issue 12; `haystack`, every session), each question asked once at its own date after a few
 * untimed ones: a long-lived agent's memory, where the per-question stores above are a new one's.
 */
export async function measurePooledStore(
  context: BenchmarkContext,
  stages: RetrieveStages,
  kind: PoolKind,
): Promise<ConversationTimes> {
  const instances = loadLongMemEval(datasetPath('longmemeval-s'));
  const sessions = [
    ...new Map(
      (['dev', 'test'] as const)
        .flatMap((split) => pooledSessions(instances, split, kind))
        .map((session) => [session.id, session]),
    ).values(),
  ];
  const sides = await openSides(context, `pooled-${kind}`, sessions);
  const samples = emptySamples();
  try {
    const questions = instances.map((instance) => {
      const { text, at, limit } = longMemEvalQuery(instance, 10);
      return { text, at, limit };
    });
    for (const input of questions.slice(0, pooledWarmUps)) await sides.warmUp(input);
    for (const input of questions.slice(pooledWarmUps)) await sides.time(input, samples, stages);
  } finally {
    await sides.close();
  }
  return {
    stores: 1,
    sessions: sessions.length,
    default: summary(samples.default, stages),
    textOnly: summary(samples.textOnly, null),
    bm25: summary(samples.bm25, null),
  };
}
