export type {
  AuditEntry,
  AuditEvent,
  AuditOperation,
  AuditOutcome,
  AuditQuery,
} from './audit/audit-event.js';
export { auditOperations, auditOutcomes, auditQuerySchema, localActor } from './audit/audit-event.js';
export type { CacheSettings } from './cache/cache-options.js';
export { cacheSettingsSchema, cacheTtlSchema } from './cache/cache-options.js';
export type { CacheKeyspace, CacheStats, KeyspaceStats, StoreCacheStats } from './cache/cache-stats.js';
export { cacheKeyspaces } from './cache/cache-stats.js';
export type { ChangeFeedStats } from './cache/change-feed.js';
export type { InvalidateCacheInput } from './cache/invalidation.js';
export type { EpisodeJson } from './cache/read-through.js';
export type { Limits, MemoryConfig, ResolvedMemoryConfig } from './config.js';
export { limitsSchema, memoryConfigSchema } from './config.js';
export type { BackgroundCheckpointOptions, BackgroundCheckpoints } from './db/background-checkpoints.js';
export { createBackgroundCheckpoints } from './db/background-checkpoints.js';
export { minEncryptionKeyChars, newEncryptionKeyIssue } from './db/encryption-key.js';
export { joinWriteLocks, releaseWriteLocksOf, shareWriteLocks } from './db/mutex.js';
export type { PresentProcess } from './db/presence.js';
export { announcePresence, databasePresenceFolder, nameProcesses, presentProcesses } from './db/presence.js';
export { embeddingStamp } from './embeddings/embedding-stamp.js';
export type { ReindexOptions, ReindexProgress, ReindexReport } from './embeddings/reindex.js';
export { assertReindexable } from './embeddings/reindex.js';
export type { VectorIndexStats } from './embeddings/vector-index.js';
export type { MatrixHit } from './embeddings/vector-matrix.js';
export { VectorMatrix } from './embeddings/vector-matrix.js';
export type { EpisodeStatus, SeedPatternType, SeedTaskType } from './enums.js';
export { episodeStatuses, seedPatternTypes, seedTaskTypes } from './enums.js';
export {
  maxRecordedStepsPerCall,
  maxRecordsPerCall,
  type RecordEpisodesInput,
  type RecordedEpisode,
  recordEpisodesSchema,
} from './episodes/record-episodes.js';
export type { EpisodicErrorCode, ValidationIssue } from './errors.js';
export { EpisodicError } from './errors.js';
export { newId } from './ids.js';
export type { EpisodeLearner } from './learning/episode-learner.js';
export { type FlushInput, learningFlushInputSchema } from './learning/flush-input.js';
export { type LearningOptions, learningOptionsSchema } from './learning/learning-options.js';
export type { LearningFailure } from './learning/learning-queue.js';
export type { LearnerStatus, LearningStatus, PartFailures } from './learning/learning-status.js';
export {
  learningRetireInputSchema,
  type RetiredLearner,
  type RetireInput,
} from './learning/retire-learner.js';
export type { Logger } from './logger.js';
export type { RekeyOptions, RekeyReport } from './maintenance/rekey-database.js';
export { rekeyDatabase } from './maintenance/rekey-database.js';
export type { RepairReport } from './maintenance/repair-database.js';
export type { RestoreOptions, RestoreReport } from './maintenance/restore-database.js';
export { restoreDatabase } from './maintenance/restore-database.js';
export type { SwappedFile } from './maintenance/swap-database-file.js';
export type { VerifyOptions, VerifyReport } from './maintenance/verify-database.js';
export { verifyDatabase } from './maintenance/verify-database.js';
export type {
  AdminApi,
  EpisodesApi,
  LearningApi,
  Memory,
  PatternsApi,
  SearchApi,
  StoreStats,
} from './memory/memory.js';
export type { MigrationReport } from './migrations/migrate.js';
export { latestSchemaVersion } from './migrations/migrate.js';
export type { PatternIdentity } from './mining/pattern-id.js';
export { patternId } from './mining/pattern-id.js';
export type { RemineInput, RemineReport } from './mining/remine.js';
export { remineInputSchema } from './mining/remine.js';
export { openMemory } from './open-memory.js';
export type { MeasurementSummary, MinedPattern } from './patterns/pattern-row.js';
export type { RecordPatternUsageInput } from './patterns/pattern-usage.js';
export type { RelevantPattern, RelevantPatternsInput } from './patterns/relevant-patterns.js';
export { relevanceFloors, relevanceWeights, relevantPatternsSchema } from './patterns/relevant-patterns.js';
export { textMatch } from './patterns/text-match.js';
export type { ForgetOptions, ForgetReport } from './privacy/forget.js';
export type { ForgetSelector } from './privacy/forget-selector.js';
export { forgetSelectorSchema } from './privacy/forget-selector.js';
export type { PurgeState } from './privacy/fts-purge.js';
export type { RetentionPolicy, RetentionReport } from './privacy/retention.js';
export { retentionPolicySchema } from './privacy/retention.js';
export type { RetrievalConfig, RetrievalWeights } from './retrieval/retrieval-config.js';
export { retrievalConfigSchema, retrievalWeightsSchema } from './retrieval/retrieval-config.js';
export type {
  RetrievalResult,
  RetrievalWhy,
  RetrievedEpisode,
  SignalStatus,
  TextEvidence,
  VectorEvidence,
} from './retrieval/retrieval-result.js';
export { maxScopeDomains } from './schemas/call-options.js';
export type {
  CompleteEpisodeInput,
  InputSchemas,
  ListEpisodesInput,
  ListPatternsInput,
  ListStepsInput,
  RetrieveInput,
  SearchTextInput,
  StartEpisodeInput,
  StepInput,
} from './schemas/input-schemas.js';
export { createInputSchemas } from './schemas/input-schemas.js';
export { storableText } from './schemas/storable-text.js';
export { wellFormed } from './schemas/stored-text.js';
export { toFtsQuery } from './search/fts-query.js';
export type { TextMatch, TextSearchHit } from './search/text-search.js';
export type {
  ApiToken,
  CreatedApiToken,
  CreateTokenInput,
  TokenScope,
  TokenStore,
} from './tokens/token-store.js';
export { tokenRecheckMs, tokenScopes } from './tokens/token-store.js';
export type {
  AccessScope,
  AppendedSteps,
  CallOptions,
  Episode,
  EpisodeWithAllSteps,
  EpisodeWithSteps,
  Page,
  Pattern,
  Step,
} from './types.js';
export type { Deadline } from './within-deadline.js';
export { DeadlineError, untilAborted, withinDeadline } from './within-deadline.js';
