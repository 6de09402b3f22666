import type { EmbeddingProviderV1 } from '@episodic/plugin';
import type { AuditEntry, AuditEvent, AuditQuery } from '../audit/audit-event.js';
import type { StoreCacheStats } from '../cache/cache-stats.js';
import type { InvalidateCacheInput } from '../cache/invalidation.js';
import type { EpisodeJson } from '../cache/read-through.js';
import type { ResolvedMemoryConfig } from '../config.js';
import type { ReindexOptions, ReindexReport } from '../embeddings/reindex.js';
import type { VectorIndexStats } from '../embeddings/vector-index.js';
import type { RecordEpisodesInput, RecordedEpisode } from '../episodes/record-episodes.js';
import type { FlushInput } from '../learning/flush-input.js';
import type { LearningStatus } from '../learning/learning-status.js';
import type { RetiredLearner } from '../learning/retire-learner.js';
import type { RepairReport } from '../maintenance/repair-database.js';
import type { VerifyReport } from '../maintenance/verify-database.js';
import type { MigrationReport } from '../migrations/migrate.js';
import type { RemineInput, RemineReport } from '../mining/remine.js';
import type { MinedPattern } from '../patterns/pattern-row.js';
import type { RecordPatternUsageInput } from '../patterns/pattern-usage.js';
import type { RelevantPattern, RelevantPatternsInput } from '../patterns/relevant-patterns.js';
import type { ForgetOptions, ForgetReport } from '../privacy/forget.js';
import type { ForgetSelector } from '../privacy/forget-selector.js';
import type { PurgeState } from '../privacy/fts-purge.js';
import type { RetentionPolicy, RetentionReport } from '../privacy/retention.js';
import type { RetrievalResult } from '../retrieval/retrieval-result.js';
import type {
  CompleteEpisodeInput,
  InputSchemas,
  ListEpisodesInput,
  ListPatternsInput,
  ListStepsInput,
  RetrieveInput,
  SearchTextInput,
  StartEpisodeInput,
  StepInput,
} from '../schemas/input-schemas.js';
import type { TextSearchHit } from '../search/text-search.js';
import type { TokenStore } from '../tokens/token-store.js';
import type { AppendedSteps, CallOptions, Episode, EpisodeWithSteps, Page, Step } from '../types.js';

/**
 * `memory.episodes`: recording what an agent did. The server's `episodes` router has the same
 * procedures with the same inputs and outputs. `options` (scope, actor) is how a server passes
 * its caller; an embedded agent leaves it out.
 */
export interface EpisodesApi {
  /**
   * Starts an active episode. With a client-chosen `id`, a start sent again after its answer was
   * lost is safe: the same id with the same input returns that episode as it is now (one
   * episode), with other input it is refused (`CONFLICT`, `issues` naming the fields that
   * differ), and an id another domain holds is refused without a word of that episode.
   */
  start(input: StartEpisodeInput, options?: CallOptions): Promise<Episode>;
  /** Appends steps in order, numbered after those already stored; the episode must be active. */
  logSteps(episodeId: string, steps: StepInput[], options?: CallOptions): Promise<Step[]>;
  /** One step; see `logSteps`. */
  logStep(episodeId: string, step: StepInput, options?: CallOptions): Promise<Step>;
  /**
   * `logSteps`, answered with the episode's domain as the transaction that wrote the steps read
   * it (embedded only: for a server, which announces steps to their domain's subscribers; an id
   * can name another domain's episode once forgotten and started again, in any process).
   */
  appendSteps(episodeId: string, steps: StepInput[], options?: CallOptions): Promise<AppendedSteps>;
  /**
   * Sets the outcome and queues the episode for learning in the same transaction, then returns:
   * embedding and mining happen in the background (`memory.learning`).
   */
  complete(episodeId: string, input: CompleteEpisodeInput, options?: CallOptions): Promise<Episode>;
  archive(episodeId: string, options?: CallOptions): Promise<Episode>;
  /**
   * Episodes with client-chosen ids, whole or in parts, all in one transaction (a refusal leaves
   * nothing written): creates each new one, appends steps and sets the outcome while it is active
   * (a step id given again is stored once); steps for an episode already finished are counted as
   * `lateSteps`, not stored. For adapters that receive finished work in batches (OTLP traces).
   */
  record(records: RecordEpisodesInput, options?: CallOptions): Promise<RecordedEpisode[]>;
  /**
   * The episode with its steps (the first page of them for a long one: `stepCount`,
   * `nextStepsCursor`), or `null` when it does not exist or is out of scope.
   */
  get(episodeId: string, options?: CallOptions): Promise<EpisodeWithSteps | null>;
  /**
   * An episode's steps in order, one page at a time (`nextCursor`; start from `get`'s
   * `nextStepsCursor`, from none, or at a step number: `fromStep`), or `null` when the episode
   * does not exist or is out of scope.
   */
  steps(episodeId: string, input?: ListStepsInput, options?: CallOptions): Promise<Page<Step> | null>;
  /** `get` as JSON bytes, straight from the cache when it holds the episode (embedded only: for a server). */
  getJson(episodeId: string, options?: CallOptions): Promise<EpisodeJson | null>;
  /** Newest first, one page at a time (`nextCursor`). */
  list(input?: ListEpisodesInput, options?: CallOptions): Promise<Page<Episode>>;
}

/** `memory.search`: finding past episodes. */
export interface SearchApi {
  /** Full-text search over contexts and steps (BM25), best first. */
  text(input: SearchTextInput, options?: CallOptions): Promise<TextSearchHit[]>;
  /** Past episodes relevant to a task, fused from text, vectors, recency and outcome, each with `why`. */
  retrieve(input: RetrieveInput, options?: CallOptions): Promise<RetrievalResult>;
}

/** `memory.patterns`: what mining learned. */
export interface PatternsApi {
  list(input?: ListPatternsInput, options?: CallOptions): Promise<Page<MinedPattern>>;
  get(patternId: string, options?: CallOptions): Promise<MinedPattern | null>;
  /** The patterns relevant to a task, best first, with their evidence and supporting episodes. */
  relevant(input?: RelevantPatternsInput, options?: CallOptions): Promise<RelevantPattern[]>;
  /** Records whether a pattern helped an episode; counts once per (pattern, episode). */
  recordUsage(
    patternId: string,
    input: RecordPatternUsageInput,
    options?: CallOptions,
  ): Promise<MinedPattern>;
}

/** `memory.learning`: the background queue between completing an episode and learning from it. */
export interface LearningApi {
  /**
   * Pending and failed rows per learner with its newest failure (`lastFailure`), whether some
   * process runs it now (`alive`, in this process or another on the store), the oldest pending age
   * and this process's throughput.
   */
  status(): Promise<LearningStatus>;
  /**
   * Waits until nothing is pending for a learner some process runs now (for tests and scripts);
   * `TIMEOUT` after `timeoutMs`. Rows of learners nobody runs any more are not waited for: the
   * result counts them as `unattended`, and a warning names them.
   */
  flush(input?: FlushInput): Promise<LearningStatus>;
  /** Queues every failed row again with fresh attempts (after fixing a provider); returns how many. */
  retryFailed(): Promise<number>;
  /**
   * Retires a learner no process runs any more (an embedder or miner taken out of the
   * configuration, a plugin's learner renamed): deletes its registration and all its queue rows,
   * pending and failed, in one transaction, and returns what it removed. Until then every
   * completion queues a row for it, kept for a worker that comes back. Refused (`CONFLICT`) while
   * this store's configuration has it or some process runs it (`alive`); `NOT_FOUND` for a name
   * the store does not know. A process that runs a learner of that name later registers it again.
   * Admin: store-wide, audited.
   */
  retire(learner: string, options?: CallOptions): Promise<RetiredLearner>;
}

/** What `memory.admin.stats()` reports. */
export interface StoreStats {
  schemaVersion: string;
  cache: StoreCacheStats;
  learning: LearningStatus;
  /** Whether text removed by `forget` may still sit in the database files (see `AdminApi.purge`). */
  purge: PurgeState;
}

/** `memory.admin`: operating the store. */
export interface AdminApi {
  stats(): Promise<StoreStats>;
  /** The audit log, oldest first: every data operation, who did it and how it ended, never the content. */
  audit(input?: AuditQuery, options?: CallOptions): Promise<AuditEntry[]>;
  /** Writes the audit entries still buffered. */
  flushAudit(): Promise<void>;
  /** Records an operation refused or done outside the engine (a server's own 403), buffered like reads. */
  recordAudit(event: AuditEvent): void;
  /**
   * Deletes episodes for good, with their steps, vectors and links; patterns are recomputed. The
   * deleted text leaves the full-text index segments and the WAL in a purge that runs in the
   * background after it returns (`purge: 'wait'` waits for it; `report.purge` says which).
   */
  forget(input: ForgetSelector, options?: ForgetOptions): Promise<ForgetReport>;
  /**
   * Waits until the text of every episode forgotten so far is out of the database file and its
   * WAL (running the purge now if it is pending), and reports the purge's state.
   */
  purge(): Promise<PurgeState>;
  /** Applies per-domain retention policies now. */
  retention(
    policies: Record<string, RetentionPolicy>,
    options?: CallOptions & { now?: Date },
  ): Promise<RetentionReport>;
  /** Rebuilds every mined pattern from scratch, atomically; scoped callers rebuild their domains. */
  remine(input?: RemineInput, options?: CallOptions): Promise<RemineReport>;
  /**
   * Re-embeds every finished episode not yet embedded by `provider` and makes it the store's
   * provider. Resumable: after an interruption, call it again.
   */
  reindex(provider: EmbeddingProviderV1, options?: ReindexOptions): Promise<ReindexReport>;
  /** `provider/model/dimensions` of the embedding provider in use, or null without one. */
  embeddingModel(): string | null;
  /** Cache hits, misses and entries per keyspace; vectors and bytes of the vector index. */
  cacheStats(): StoreCacheStats;
  /**
   * Loads now what the first `search.retrieve` would otherwise wait for: the vectors of the
   * store's provider, into the in-memory index (about 4 s at 100,000 episodes; the thread stays
   * free between pages, and a retrieve meanwhile waits for the same load, not a second one).
   * `episodic serve` calls it once it listens. Resolves to what the index holds, or null when the
   * store has no embedding provider; a `close()` during the load ends it (a `STORAGE` error).
   */
  warmUp(): Promise<VectorIndexStats | null>;
  /** Drops cached copies of rows changed outside the engine (`{ all: true }`: everything). */
  invalidateCache(input?: InvalidateCacheInput): void;
  /** Refreshes the query planner's statistics (the seed's `ANALYZE`). */
  analyze(): Promise<void>;
  /** The schema version recorded in the database. */
  schemaVersion(): Promise<string>;
  /**
   * Why this store refuses every write because its database file was deleted or replaced while
   * it was open (each write is then a `STORAGE` error with the same text), or null. Reads go on
   * from the file as it was; a health check reports the store unavailable (`episodic serve`'s
   * `/healthz` answers 503).
   */
  lostDatabaseFile(): string | null;
  /** A consistent, verified snapshot of this (local file) store at `destination`. */
  backup(destination: string, options?: CallOptions): Promise<VerifyReport>;
  /** Reports orphans and broken links; mends them unless `dryRun`. */
  repair(input?: { dryRun?: boolean }, options?: CallOptions): Promise<RepairReport>;
}

/**
 * An open Episodic store. The namespaces are the server's routers: `@episodic/sdk`'s
 * `createRemoteMemory` has the same `episodes`, `search`, `patterns` and `learning`, so an agent
 * moves from embedded to server by changing the constructor.
 */
export interface Memory {
  /** The settings this store was opened with, defaults applied. */
  readonly config: ResolvedMemoryConfig;
  /** The zod schemas this store validates with (its limits and enumerations). */
  readonly schemas: InputSchemas;
  /** What opening did to the schema: from which version to which, and the migrations applied. */
  readonly migration: MigrationReport;
  readonly episodes: EpisodesApi;
  readonly search: SearchApi;
  readonly patterns: PatternsApi;
  readonly learning: LearningApi;
  readonly admin: AdminApi;
  /** Bearer tokens for the server (`create`, `list`, `revoke`, `verify`). */
  readonly tokens: TokenStore;
  /** Stops learning, writes buffered audit entries, then releases the database. Safe to call twice. */
  close(): Promise<void>;
}
