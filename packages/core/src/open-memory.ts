import { localActor } from './audit/audit-event.js';
import { createAuditLog } from './audit/audit-log.js';
import { auditReads } from './audit/audited-reads.js';
import type { CacheStats } from './cache/cache-stats.js';
import {
  cachePatternChanges,
  type InvalidateCacheInput,
  invalidateCache,
  invalidatingWrites,
} from './cache/invalidation.js';
import { openCache } from './cache/open-cache.js';
import { readThrough } from './cache/read-through.js';
import { type MemoryConfig, memoryConfigSchema, type ResolvedMemoryConfig } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { createEmbeddingEngine } from './embeddings/embedding-engine.js';
import type { EmbeddingProviderV1 } from './embeddings/embedding-provider.js';
import { embeddingStamp } from './embeddings/embedding-stamp.js';
import { embeddingProviderSchema } from './embeddings/provider-schema.js';
import { type ReindexOptions, type ReindexReport, reindexEpisodes } from './embeddings/reindex.js';
import { assertStoredStampsMatch } from './embeddings/stored-stamps.js';
import type { EngineContext } from './engine-context.js';
import { createEpisodeReads } from './episodes/episode-reads.js';
import { createEpisodeWrites } from './episodes/episode-writes.js';
import { EpisodicError } from './errors.js';
import type { EpisodeLearner } from './learning/episode-learner.js';
import { createLearningPipeline } from './learning/learning-pipeline.js';
import { createStoreMaintenance } from './maintenance/store-maintenance.js';
import { type MigrationReport, migrate } from './migrations/migrate.js';
import { compareVersions } from './migrations/migration.js';
import { minerPatternTypes } from './mining/miner-registry.js';
import { createMiningEngine } from './mining/mining-engine.js';
import type { RemineInput, RemineReport } from './mining/remine.js';
import { createPatternReads } from './patterns/pattern-reads.js';
import { createPatternUsage } from './patterns/pattern-usage.js';
import { createRelevantPatterns } from './patterns/relevant-patterns.js';
import { createForget } from './privacy/forget.js';
import { createRetention } from './privacy/retention.js';
import { createRetrieval } from './retrieval/retrieve.js';
import type { CompleteEpisodeInput, StepInput } from './schemas/input-schemas.js';
import { createInputSchemas, type InputSchemas } from './schemas/input-schemas.js';
import { createTextSearch } from './search/text-search.js';
import { createTokenStore } from './tokens/token-store.js';
import type { CallOptions, Episode, Step } from './types.js';
import { parseInput } from './validate.js';

export type Memory = Awaited<ReturnType<typeof openMemory>>;

async function migrateOrClose(db: Database): Promise<MigrationReport> {
  try {
    return await migrate(db);
  } catch (error) {
    await db.close();
    if (EpisodicError.isInstance(error)) throw error;
    throw new EpisodicError(
      'STORAGE',
      `Could not bring the database schema up to date: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Opens (creating if needed) an Episodic store and brings its schema up to date.
 *
 * @example
 * const memory = await openMemory({ url: 'file:./data/memory.db' });
 * const episode = await memory.startEpisode({ taskType: 'debugging', domain: 'web' });
 */
export async function openMemory(config: MemoryConfig = {}) {
  const resolved: ResolvedMemoryConfig = parseInput(memoryConfigSchema, config, 'memory config');
  const db = await openDatabase(resolved);
  const migration = await migrateOrClose(db);
  if (resolved.embeddings !== undefined) {
    await assertStoredStampsMatch(db, embeddingStamp(resolved.embeddings)).catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
  }
  const schemas: InputSchemas = createInputSchemas({
    limits: resolved.limits,
    taskTypes: resolved.taskTypes,
    patternTypes: [...new Set([...resolved.patternTypes, ...minerPatternTypes(resolved.miners)])],
  });
  const audit = createAuditLog(db, resolved.logger);
  const context: EngineContext = { db, config: resolved, schemas, audit };
  const cache = openCache({
    url: resolved.url,
    location: db.location,
    settings: resolved.cache,
    logger: resolved.logger,
    encryptionKey: resolved.encryptionKey,
    keyProven: true,
  });
  const writes = invalidatingWrites(cache, createEpisodeWrites(context));
  const reads = createEpisodeReads(context);
  const patternReads = createPatternReads(context);
  const textSearch = createTextSearch(context);
  const cachedReads = readThrough(
    cache,
    { ...reads, ...patternReads, ...textSearch },
    { schemas, patternTypes: schemas.patternType.options },
  );
  // Plugins that learn from finished episodes (embedder, miners) are added here.
  const learners: EpisodeLearner[] = [];
  const patternChanges = cachePatternChanges(cache);
  const mining = createMiningEngine(context, resolved.miners, patternChanges);
  if (resolved.miners.length > 0) learners.push(mining.learner);
  const embeddings = createEmbeddingEngine(context, resolved.embeddings);
  if (resolved.embeddings !== undefined) learners.push(embeddings.learner);
  const learning = createLearningPipeline(learners, resolved.logger);
  const forget = createForget(context, {
    // Rare and possibly huge: drop the whole cache (and its freed pages) rather than list every key.
    forgotten: () => cache.purge(),
    recomputePatterns:
      resolved.miners.length === 0
        ? undefined
        : async (domains) => void (await mining.remine({}, { scope: { domains } })),
  });
  const relevantPatterns = createRelevantPatterns(context);
  let closed = false;

  // Every read below is audited (buffered), whether the cache or the database answers it.
  return auditReads(audit, {
    config: resolved,
    /** The zod schemas this store validates with (its limits and enumerations). */
    schemas,
    /** What opening did to the schema: from which version to which, and the migrations applied. */
    migration,
    ...writes,
    /**
     * Sets the outcome of an active episode, then lets every learner (embedder, miners) learn
     * from it before returning.
     */
    async completeEpisode(
      episodeId: string,
      input: CompleteEpisodeInput,
      options: CallOptions = {},
    ): Promise<Episode> {
      const episode = await writes.completeEpisode(episodeId, input, options);
      if (learners.length > 0) {
        const finished = await reads.getEpisode(episode.id);
        if (finished !== null) await learning.learn(finished);
        // The embedder stamps the episode it embedded: drop the copy read just before.
        invalidateCache(cache, { episodes: [episode.id] });
      }
      return episode;
    },
    /** Logs one step; see `logSteps`. */
    async logStep(episodeId: string, step: StepInput, options: CallOptions = {}): Promise<Step> {
      const [stored] = await writes.logSteps(episodeId, [step], options);
      return stored as Step;
    },
    // listEpisodes; the cached reads below replace getEpisode, getPattern, listPatterns and searchText.
    ...reads,
    ...relevantPatterns,
    ...createPatternUsage(context, patternChanges),
    /** Rebuilds every mined pattern from scratch (see `RemineReport`); scoped callers rebuild their domains. */
    async remine(input: RemineInput = {}, options: CallOptions = {}): Promise<RemineReport> {
      const event = {
        actor: options.actor ?? localActor,
        operation: 'admin',
        entityType: 'patterns',
      } as const;
      try {
        const report = await mining.remine(input, options);
        audit.record({ ...event, outcome: 'ok' });
        return report;
      } catch (error) {
        audit.record({ ...event, outcome: 'error' });
        throw error;
      }
    },
    ...cachedReads,
    ...createRetrieval(context, embeddings, cache, relevantPatterns.relevantPatterns),
    /**
     * Re-embeds every finished episode not yet embedded by `provider` and makes `provider` the
     * store's embedding provider from now on. Resumable: after an interruption, call it again and
     * it continues where it stopped. Use it to switch providers (open the store without
     * `embeddings`, reindex, then open it with the new provider) or to embed episodes that
     * finished while the store had no provider.
     */
    async reindex(provider: EmbeddingProviderV1, options: ReindexOptions = {}): Promise<ReindexReport> {
      const checked = parseInput(embeddingProviderSchema, provider, 'embedding provider', 'provider');
      embeddings.use(checked);
      if (!learners.includes(embeddings.learner)) learners.push(embeddings.learner);
      try {
        return await reindexEpisodes(context, checked, options);
      } finally {
        // Reindexing restamps episodes in batches, each committed on its own.
        cache.invalidateAll();
      }
    },
    /** `provider/model/dimensions` of the embedding provider in use, or null without one. */
    embeddingModel(): string | null {
      return embeddings.active()?.stamp ?? null;
    },
    ...createStoreMaintenance(context, { repaired: () => invalidateCache(cache, { all: true }) }),
    forget,
    applyRetention: createRetention(context, {
      forget,
      archived: () => invalidateCache(cache, { all: true }),
    }),
    /** Bearer tokens for the server (`create`, `list`, `revoke`, `verify`). */
    tokens: createTokenStore(context),

    /** Hit, miss, eviction, expiry and entry counts per cache keyspace, and why the cache is off if it is. */
    cacheStats(): CacheStats {
      return cache.stats();
    },

    /**
     * Drops cached copies of episodes and patterns changed outside this store's write methods
     * (a deletion, a script, a bulk fix), in every process sharing the cache; `{ all: true }`
     * drops everything. Cached search results are always dropped.
     */
    invalidateCache(input: InvalidateCacheInput = {}): void {
      invalidateCache(cache, input);
    },

    /** Refreshes the query planner's statistics (the seed's `ANALYZE`). */
    async analyze(): Promise<void> {
      await db.write((tx) => tx.execute('ANALYZE'));
    },

    /** The schema version recorded in the database. */
    async schemaVersion(): Promise<string> {
      const rows = await db.read('SELECT version FROM schema_migrations');
      return (
        rows.rows
          .map((row) => String(row.version))
          .sort(compareVersions)
          .at(-1) ?? '0.0.0'
      );
    },

    /** The audit log: every data operation, who did it and how it ended, never the content. */
    audit: {
      query: audit.query,
      flush: audit.flush,
      /** Records an operation refused or done outside the engine (a server's own 403), buffered like reads. */
      record: audit.record,
    },

    /**
     * Writes the audit entries still buffered, then releases the database; later calls fail with
     * `STORAGE`. Safe to call twice.
     */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      mining.close();
      cache.close();
      await audit.flush();
      await db.close();
    },
  });
}
