import type { CacheStats, LearningStatus, StoreCacheStats } from '@episodic/core';
import type { ProcedureObserver } from '../context.js';
import type { ThreadMemory } from '../store/learning-thread-protocol.js';
import { type HeapSpaces, heapSpaceGroups, heapSpaces } from './heap-spaces.js';
import { residentMemory } from './resident-memory.js';

/** Latency buckets in seconds: sub-millisecond cache hits up to multi-second batches. */
const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** What `/metrics` reads from the rest of the server at scrape time. */
export interface ScrapeSources {
  cache: () => StoreCacheStats;
  databaseBytes: () => number | null;
  subscribers: () => number;
  /** HTTP requests being answered right now, this scrape included. */
  inFlight: () => number;
  /** Calls running and waiting for their token's turn (`maxCallsPerToken`). */
  calls: () => { running: number; waiting: number };
  learning: () => Promise<LearningStatus>;
  /** The learning thread's heap, or `null` when there is no learning thread. */
  learningMemory: () => Promise<ThreadMemory> | null;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

interface ProcedureStats {
  /** Calls by `type` and result `code`, keyed `type code`. */
  calls: Map<string, number>;
  latency: Histogram;
}

/**
 * Prometheus metrics, kept by hand: a few counters and one histogram do not justify a client
 * library, and recording stays two map lookups on the request path.
 */
export class Metrics implements ProcedureObserver {
  readonly #procedures = new Map<string, ProcedureStats>();
  readonly #http = new Map<string, number>();
  #dropped = 0;

  procedure(path: string, type: string, code: string, seconds: number): void {
    let stats = this.#procedures.get(path);
    if (stats === undefined) {
      stats = { calls: new Map(), latency: { counts: buckets.map(() => 0), sum: 0, count: 0 } };
      this.#procedures.set(path, stats);
    }
    const key = `${type} ${code}`;
    stats.calls.set(key, (stats.calls.get(key) ?? 0) + 1);
    const { latency } = stats;
    for (let i = buckets.length - 1; i >= 0 && seconds <= (buckets[i] as number); i -= 1)
      latency.counts[i]! += 1;
    latency.sum += seconds;
    latency.count += 1;
  }

  /** A connection refused because `maxConnections` were open. */
  connectionDropped(): void {
    this.#dropped += 1;
  }

  /** One HTTP request answered, by route (`trpc`, `otlp`, `healthz`, `metrics`, `other`) and status (or `aborted`). */
  http(route: string, status: number | 'aborted'): void {
    const key = `route="${route}",status="${status}"`;
    this.#http.set(key, (this.#http.get(key) ?? 0) + 1);
  }

  async render(sources: ScrapeSources): Promise<string> {
    const [learning, learningMemory] = await Promise.all([
      sources.learning(),
      // A thread that has ended has no heap to report; the scrape goes on without it.
      sources.learningMemory()?.catch(() => null) ?? null,
    ]);
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    family('episodic_http_requests_total', 'counter', 'HTTP requests answered, by route and status.');
    for (const [key, value] of this.#http) lines.push(`episodic_http_requests_total{${key}} ${value}`);
    family(
      'episodic_http_connections_dropped_total',
      'counter',
      'Connections refused because maxConnections were open.',
    );
    lines.push(`episodic_http_connections_dropped_total ${this.#dropped}`);

    family(
      'episodic_procedure_calls_total',
      'counter',
      'tRPC procedure calls, by procedure, type and result code.',
    );
    for (const [path, stats] of this.#procedures) {
      for (const [key, value] of stats.calls) {
        const [type, code] = key.split(' ');
        lines.push(
          `episodic_procedure_calls_total{procedure="${label(path)}",type="${type}",code="${code}"} ${value}`,
        );
      }
    }

    family('episodic_procedure_duration_seconds', 'histogram', 'Time spent in each procedure.');
    for (const [path, { latency }] of this.#procedures) {
      const key = `procedure="${label(path)}"`;
      buckets.forEach((bound, i) =>
        lines.push(`episodic_procedure_duration_seconds_bucket{${key},le="${bound}"} ${latency.counts[i]}`),
      );
      lines.push(`episodic_procedure_duration_seconds_bucket{${key},le="+Inf"} ${latency.count}`);
      lines.push(`episodic_procedure_duration_seconds_sum{${key}} ${latency.sum}`);
      lines.push(`episodic_procedure_duration_seconds_count{${key}} ${latency.count}`);
    }

    const cache = sources.cache();
    family('episodic_cache_enabled', 'gauge', '1 when the LMDB cache is in use.');
    lines.push(`episodic_cache_enabled ${cache.enabled ? 1 : 0}`);
    family(
      'episodic_cache_read_errors_total',
      'counter',
      'Cache reads that failed and went to the database.',
    );
    lines.push(`episodic_cache_read_errors_total ${cache.readErrors}`);
    const perKeyspace: [string, string, string, (stats: CacheStats['keyspaces']['episode']) => number][] = [
      ['episodic_cache_hit_rate', 'gauge', 'Cache hits / (hits + misses) since start.', (s) => s.hitRate],
      ['episodic_cache_hits_total', 'counter', 'Cache hits.', (s) => s.hits],
      ['episodic_cache_misses_total', 'counter', 'Cache misses.', (s) => s.misses],
      ['episodic_cache_evictions_total', 'counter', 'Entries evicted to make room.', (s) => s.evictions],
      ['episodic_cache_entries', 'gauge', 'Entries stored.', (s) => s.entries],
    ];
    for (const [name, type, help, read] of perKeyspace) {
      family(name, type, help);
      for (const [keyspace, stats] of Object.entries(cache.keyspaces))
        lines.push(`${name}{keyspace="${keyspace}"} ${read(stats)}`);
    }

    if (cache.changeFeed !== null) {
      // An operator alerts on this growing: the host no longer learns of other hosts' writes.
      family(
        'episodic_cache_feed_age_seconds',
        'gauge',
        "Seconds since the cache last read the database's change feed through (other hosts' writes).",
      );
      const { lastReadAt } = cache.changeFeed;
      const age = lastReadAt === null ? Number.NaN : (Date.now() - Date.parse(lastReadAt)) / 1000;
      lines.push(`episodic_cache_feed_age_seconds ${age}`);
    }
    if (cache.vectorIndex !== null) {
      family('episodic_vector_index_vectors', 'gauge', 'Vectors held by the in-memory vector index.');
      lines.push(`episodic_vector_index_vectors ${cache.vectorIndex.vectors}`);
      family(
        'episodic_vector_index_bytes',
        'gauge',
        'Bytes the in-memory vector index holds, spare capacity included.',
      );
      lines.push(`episodic_vector_index_bytes ${cache.vectorIndex.bytes}`);
    }
    const bytes = sources.databaseBytes();
    if (bytes !== null) {
      family('episodic_database_size_bytes', 'gauge', 'Size of the database file and its WAL.');
      lines.push(`episodic_database_size_bytes ${bytes}`);
    }
    family(
      'episodic_http_requests_in_flight',
      'gauge',
      'HTTP requests being answered, this scrape included.',
    );
    lines.push(`episodic_http_requests_in_flight ${sources.inFlight()}`);
    const calls = sources.calls();
    family('episodic_calls_running', 'gauge', 'API calls and OTLP exports running, subscriptions aside.');
    lines.push(`episodic_calls_running ${calls.running}`);
    family(
      'episodic_calls_waiting',
      'gauge',
      'API calls and OTLP exports waiting because their token has maxCallsPerToken running.',
    );
    lines.push(`episodic_calls_waiting ${calls.waiting}`);
    family('episodic_event_subscribers', 'gauge', 'Live event subscriptions.');
    lines.push(`episodic_event_subscribers ${sources.subscribers()}`);
    family(
      'episodic_process_memory_bytes',
      'gauge',
      'Memory of the process (rss, and on Linux its anonymous, file-backed and shared parts), of the serving thread (V8 heap, external, array buffers) and of the learning thread (learning_*).',
    );
    const memory = process.memoryUsage();
    const resident = residentMemory();
    for (const [kind, value] of Object.entries({
      rss: memory.rss,
      ...(resident === null
        ? {}
        : { rss_anon: resident.anon, rss_file: resident.file, rss_shmem: resident.shmem }),
      heap_used: memory.heapUsed,
      heap_total: memory.heapTotal,
      external: memory.external,
      array_buffers: memory.arrayBuffers,
      ...(learningMemory === null
        ? {}
        : {
            learning_heap_used: learningMemory.heapUsed,
            learning_heap_total: learningMemory.heapTotal,
            learning_external: learningMemory.external,
            learning_array_buffers: learningMemory.arrayBuffers,
          }),
    }))
      lines.push(`episodic_process_memory_bytes{kind="${kind}"} ${value}`);
    family(
      'episodic_v8_heap_space_bytes',
      'gauge',
      "Each thread's V8 heap by space (new, old, code, large objects, other): bytes objects use, and bytes V8 holds for them.",
    );
    const threads: [string, HeapSpaces][] = [['serving', heapSpaces()]];
    if (learningMemory !== null) threads.push(['learning', learningMemory.spaces]);
    for (const [thread, spaces] of threads) {
      for (const space of heapSpaceGroups) {
        const { used, committed } = spaces[space];
        lines.push(`episodic_v8_heap_space_bytes{thread="${thread}",space="${space}",kind="used"} ${used}`);
        lines.push(
          `episodic_v8_heap_space_bytes{thread="${thread}",space="${space}",kind="committed"} ${committed}`,
        );
      }
    }
    const perLearner: [string, string, string, (status: LearningStatus['learners'][string]) => number][] = [
      [
        'episodic_learning_pending',
        'gauge',
        'Finished episodes queued for a learner, not yet learned.',
        (s) => s.pending,
      ],
      [
        'episodic_learning_failed',
        'gauge',
        'Queue rows left failed after their last attempt.',
        (s) => s.failed,
      ],
      [
        'episodic_learning_oldest_pending_seconds',
        'gauge',
        'Age of the oldest queued episode a learner has not learned yet.',
        (s) => s.oldestPendingSeconds,
      ],
      [
        'episodic_learning_episodes_per_second',
        'gauge',
        'Episodes this process learned per second over the last minute.',
        (s) => s.learnedPerSecond,
      ],
    ];
    for (const [name, type, help, read] of perLearner) {
      family(name, type, help);
      for (const [learner, status] of Object.entries(learning.learners))
        lines.push(`${name}{learner="${label(learner)}"} ${read(status)}`);
    }
    family(
      'episodic_learning_part_failures_total',
      'counter',
      "Failures of a learner's parts (a miner, by pattern type) on an episode, which cost no queue row.",
    );
    for (const [learner, status] of Object.entries(learning.learners))
      for (const [part, failures] of Object.entries(status.partFailures))
        lines.push(
          `episodic_learning_part_failures_total{learner="${label(learner)}",part="${label(part)}"} ${failures.count}`,
        );
    return `${lines.join('\n')}\n`;
  }
}
