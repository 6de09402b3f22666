import { createAuditLog } from './audit/audit-log.js';
import { auditReads } from './audit/audited-reads.js';
import { followChangeFeed } from './cache/change-feed.js';
import {
  cachePatternChanges,
  type InvalidateWritten,
  invalidateCache,
  invalidatingWrites,
} from './cache/invalidation.js';
import { openCache } from './cache/open-cache.js';
import { readThrough } from './cache/read-through.js';
import { type MemoryConfig, memoryConfigSchema, type ResolvedMemoryConfig } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { assertKeyOfNewStore } from './db/encryption-key.js';
import { announcePresence, databasePresenceFolder } from './db/presence.js';
import { unreadable } from './db/storage-errors.js';
import { createEmbeddingEngine } from './embeddings/embedding-engine.js';
import { embeddingStamp } from './embeddings/embedding-stamp.js';
import { assertStoredStampsMatch } from './embeddings/stored-stamps.js';
import type { EngineContext } from './engine-context.js';
import { createEpisodeReads } from './episodes/episode-reads.js';
import { createEpisodeWrites } from './episodes/episode-writes.js';
import { EpisodicError } from './errors.js';
import type { EpisodeLearner } from './learning/episode-learner.js';
import { learningFlushInputSchema } from './learning/flush-input.js';
import { createLearningRunner } from './learning/learning-runner.js';
import { retireLearner } from './learning/retire-learner.js';
import { settleBeforeOpening } from './maintenance/replace-database-file.js';
import { createAdminApi } from './memory/admin-api.js';
import { guardCalls } from './memory/guard-calls.js';
import type { AdminApi, EpisodesApi, LearningApi, Memory, PatternsApi, SearchApi } from './memory/memory.js';
import { type MigrationReport, migrate } from './migrations/migrate.js';
import { othersWithFileOpen, warnOfMigrationUnderOthers } from './migrations/migrated-under-others.js';
import { minerPatternTypes } from './mining/miner-registry.js';
import { createMiningEngine } from './mining/mining-engine.js';
import { olderMiningNotice } from './mining/older-mining.js';
import { createPatternReads } from './patterns/pattern-reads.js';
import { createPatternUsage } from './patterns/pattern-usage.js';
import { createRelevantPatterns } from './patterns/relevant-patterns.js';
import { openDeletion } from './privacy/open-deletion.js';
import { createRetrieval } from './retrieval/retrieve.js';
import { TermCounts } from './retrieval/term-counts.js';
import { createInputSchemas, type InputSchemas } from './schemas/input-schemas.js';
import { createTextSearch } from './search/text-search.js';
import { createTokenStore, type TokenStore } from './tokens/token-store.js';
import type { Step } from './types.js';
import { parseInput } from './validate.js';

export type { Memory } from './memory/memory.js';

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

/** Marks the file as open by this process; a marker that cannot be written (a full disk) closes the store. */
async function announceOrClose(db: Database, path: string): Promise<ReturnType<typeof announcePresence>> {
  try {
    return announcePresence(databasePresenceFolder(path));
  } catch (error) {
    await db.close();
    throw unreadable(`file:${path}`, error, path);
  }
}

/**
 * Opens (creating if needed) an Episodic store and brings its schema up to date.
 *
 * @example
 * const memory = await openMemory({ url: 'file:./data/memory.db' });
 * const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
 */
export async function openMemory(config: MemoryConfig = {}): Promise<Memory> {
  const resolved: ResolvedMemoryConfig = parseInput(memoryConfigSchema, config, 'memory config');
  settleBeforeOpening(resolved);
  assertKeyOfNewStore(resolved);
  const db = await openDatabase(resolved);
  const openBefore = db.location.path === undefined ? [] : othersWithFileOpen(db.location.path);
  const migration = await migrateOrClose(db);
  const olderMining = await olderMiningNotice(db, migration).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  if (olderMining !== null) resolved.logger.warn(olderMining);
  if (resolved.embeddings !== undefined) {
    await assertStoredStampsMatch(db, embeddingStamp(resolved.embeddings)).catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
  }
  if (db.location.path !== undefined)
    warnOfMigrationUnderOthers(db.location.path, migration, openBefore, resolved.logger);
  // Restore, rekey and reindex change the file under every process that has it open, which would
  // go on writing to what it holds: they refuse while a marker names a live process.
  const presence = db.location.path === undefined ? null : await announceOrClose(db, db.location.path);
  const schemas: InputSchemas = createInputSchemas({
    limits: resolved.limits,
    taskTypes: resolved.taskTypes,
    patternTypes: [...new Set([...resolved.patternTypes, ...minerPatternTypes(resolved.miners)])],
  });
  const audit = createAuditLog(db, resolved.logger, resolved.audit);
  const context: EngineContext = { db, config: resolved, schemas, audit };
  const cache = openCache({
    url: resolved.url,
    location: db.location,
    settings: resolved.cache,
    logger: resolved.logger,
    encryptionKey: resolved.encryptionKey,
    keyProven: true,
  });
  const feed =
    resolved.cache === false || cache.kind === 'disabled'
      ? null
      : followChangeFeed({ db, cache, intervalMs: resolved.cache.feedIntervalMs, logger: resolved.logger });
  // Whatever changed while no process of this host followed the feed is dropped before any read.
  await feed?.catchUp();
  const invalidate: InvalidateWritten =
    feed === null ? (keys) => cache.invalidate(keys) : (keys) => feed.catchUp(keys);
  // Plugins that learn from finished episodes (embedder, miners), run off the write path.
  const learners: EpisodeLearner[] = [];
  // Kept across calls and shared by both searches: the document counts of words, valid while the
  // full-text indexes are unchanged or changed only by this process's writes of new text.
  const termCounts = new TermCounts(db);
  const writes = invalidatingWrites(
    createEpisodeWrites(context, {
      learners: () => learners.map((learner) => learner.name),
      counts: termCounts,
    }),
    invalidate,
  );
  const patternChanges = cachePatternChanges(cache, invalidate);
  const mining = createMiningEngine(context, resolved.miners, patternChanges);
  if (resolved.miners.length > 0) learners.push(mining.learner);
  const embeddings = createEmbeddingEngine(context, resolved.embeddings);
  if (resolved.embeddings !== undefined) learners.push(embeddings.learner);
  const learning = createLearningRunner({
    db,
    learners: () => learners,
    options: resolved.learning,
    logger: resolved.logger,
    // The embedder stamps the episodes it embedded: drop cached copies read before.
    learned: (learner, episodeIds) => {
      if (learner === embeddings.learner.name) invalidateCache(cache, { episodes: [...episodeIds] });
    },
  });
  // Registered and claimed before learning starts: from now on every process's completions queue
  // work for them, and its `flush()` waits for it.
  await learning.start();

  const { getEpisode, listSteps, listEpisodes } = createEpisodeReads(context);
  const { getPattern, listPatterns } = createPatternReads(context);
  const { searchText } = createTextSearch(context, termCounts);
  const cached = readThrough(
    cache,
    { getEpisode, getPattern, listPatterns, searchText },
    {
      schemas,
      patternTypes: schemas.patternType.options,
      textSelection: {
        textBudgetRows: resolved.retrieval.textBudgetRows,
        maxQueryTerms: resolved.retrieval.maxQueryTerms,
      },
    },
  );
  const { relevantPatterns } = createRelevantPatterns(context);
  const { retrieve } = createRetrieval(context, embeddings, cache, relevantPatterns, termCounts);
  // Every read below is audited (buffered), whether the cache or the database answers it.
  const reads = auditReads(audit, {
    getEpisode: cached.getEpisode,
    getEpisodeJson: cached.getEpisodeJson,
    getPattern: cached.getPattern,
    listPatterns: cached.listPatterns,
    searchText: cached.searchText,
    listSteps,
    listEpisodes,
    relevantPatterns,
    retrieve,
  });
  const { purge, forget } = await openDeletion(context, { cache, mining });
  const { recordPatternUsage } = createPatternUsage(context, patternChanges);
  let closed = false;
  let released = false;
  const isReleased = () => released;

  return {
    config: resolved,
    schemas,
    migration,
    episodes: guardCalls<EpisodesApi>(
      {
        start: writes.startEpisode,
        logSteps: async (episodeId, steps, options) =>
          (await writes.appendSteps(episodeId, steps, options)).steps,
        logStep: async (episodeId, step, options) =>
          (await writes.appendSteps(episodeId, [step], options)).steps[0] as Step,
        appendSteps: writes.appendSteps,
        async complete(episodeId, input, options) {
          const episode = await writes.completeEpisode(episodeId, input, options);
          learning.wake();
          return episode;
        },
        archive: writes.archiveEpisode,
        async record(records, options) {
          const recorded = await writes.recordEpisodes(records, options);
          if (recorded.some(({ episode }) => episode.status !== 'active')) learning.wake();
          return recorded;
        },
        get: reads.getEpisode,
        getJson: reads.getEpisodeJson,
        async steps(episodeId, input, options) {
          const page = await reads.listSteps(episodeId, input as never, options);
          return page === null ? null : { items: page.items, nextCursor: page.nextCursor };
        },
        list: reads.listEpisodes,
      },
      {
        start: 1,
        logSteps: 2,
        logStep: 2,
        appendSteps: 2,
        complete: 2,
        archive: 1,
        record: 1,
        get: 1,
        steps: 2,
        getJson: 1,
        list: 1,
      },
      isReleased,
    ),
    search: guardCalls<SearchApi>(
      { text: reads.searchText, retrieve: reads.retrieve },
      { text: 1, retrieve: 1 },
      isReleased,
    ),
    patterns: guardCalls<PatternsApi>(
      {
        list: reads.listPatterns,
        get: reads.getPattern,
        relevant: reads.relevantPatterns,
        recordUsage: recordPatternUsage,
      },
      { list: 1, get: 1, relevant: 1, recordUsage: 2 },
      isReleased,
    ),
    learning: guardCalls<LearningApi>(
      {
        status: () => learning.status(),
        // Async, so bad options reject the promise rather than throw before there is one.
        flush: async (input = {}) =>
          learning.flush(parseInput(learningFlushInputSchema, input, 'flush options').timeoutMs),
        retryFailed: () => learning.retryFailed(),
        retire: (learner, options) =>
          retireLearner(context, { learner, configured: learning.names() }, options),
      },
      { status: null, flush: null, retryFailed: null, retire: 1 },
      isReleased,
    ),
    admin: guardCalls<AdminApi>(
      createAdminApi(context, {
        cache,
        feed,
        mining,
        embeddings,
        learners,
        learning,
        forget,
        purge,
        presence: presence?.marker,
      }),
      {
        stats: null,
        audit: 1,
        flushAudit: null,
        forget: 1,
        purge: null,
        retention: 1,
        remine: 1,
        reindex: null,
        warmUp: null,
        analyze: null,
        schemaVersion: null,
        backup: 1,
        repair: 1,
      },
      isReleased,
    ),
    tokens: guardCalls<TokenStore>(
      createTokenStore(context),
      { create: 1, list: null, count: null, revoke: 1, verify: null, isActive: null },
      isReleased,
    ),
    async close() {
      if (closed) return;
      closed = true;
      // Reads already running finish first: their audit entries are recorded when they end.
      await audit.readsEnded();
      mining.close();
      await learning.close();
      await purge.close();
      await feed?.close();
      cache.close();
      await audit.flush();
      await db.close();
      released = true;
      presence?.leave();
    },
  };
}
