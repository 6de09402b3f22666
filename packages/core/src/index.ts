export { EpisodicError } from './errors.js';
export type { EpisodicErrorCode, ValidationIssue } from './errors.js';
export { episodeStatuses, seedTaskTypes, seedPatternTypes } from './enums.js';
export type { EpisodeStatus, SeedTaskType, SeedPatternType } from './enums.js';
export { limitsSchema, memoryConfigSchema } from './config.js';
export type { Limits, MemoryConfig, ResolvedMemoryConfig } from './config.js';
export { createInputSchemas } from './schemas/input-schemas.js';
export type {
  InputSchemas,
  StartEpisodeInput,
  StepInput,
  CompleteEpisodeInput,
  ListEpisodesInput,
  SearchTextInput,
  ListPatternsInput,
} from './schemas/input-schemas.js';
export type { JsonObject, JsonValue } from './schemas/json-object.js';
export type { AccessScope, CallOptions, Episode, EpisodeWithSteps, Step, Pattern, Page } from './types.js';
export type { TextMatch, TextSearchHit } from './search/text-search.js';
export { toFtsQuery } from './search/fts-query.js';
export { latestSchemaVersion } from './migrations/migrate.js';
export type { MigrationReport } from './migrations/migrate.js';
export { openMemory } from './open-memory.js';
export type { EpisodeLearner } from './learning/episode-learner.js';
export type { Logger } from './logger.js';
export type { Memory } from './open-memory.js';
export { newId } from './ids.js';
export { cacheKeyspaces } from './cache/cache-stats.js';
export type { CacheKeyspace, CacheStats, KeyspaceStats } from './cache/cache-stats.js';
export { tokenScopes, tokenRecheckMs } from './tokens/token-store.js';
export type { ApiToken, CreatedApiToken, CreateTokenInput, TokenScope, TokenStore } from './tokens/token-store.js';
export type {
  Baseline,
  Distribution,
  MineInput,
  MiningHistory,
  PatternCandidate,
  PatternMinerV1,
} from './mining/pattern-miner.js';
export { actionNormalizerSchema, collapseRepeats, toolName } from './mining/canonical-actions.js';
export { parsePluginOptions } from './mining/plugin-options.js';
export { measureEpisode } from './mining/episode-measures.js';
export type { EpisodeMeasures } from './mining/episode-measures.js';
export { wilsonLowerBound } from './mining/wilson.js';
export { canonicalJson } from './mining/canonical-json.js';
export { patternId } from './mining/pattern-id.js';
export type { PatternIdentity } from './mining/pattern-id.js';
export { remineInputSchema } from './mining/remine.js';
export type { RemineInput, RemineReport } from './mining/remine.js';
export type { MeasurementSummary, MinedPattern } from './patterns/pattern-row.js';
export { relevanceWeights, relevantPatternsSchema } from './patterns/relevant-patterns.js';
export type { RelevantPattern, RelevantPatternsInput } from './patterns/relevant-patterns.js';
export type { RecordPatternUsageInput } from './patterns/pattern-usage.js';
export type { EmbeddingProvider, EmbeddingProviderV1, EmbedOptions } from './embeddings/embedding-provider.js';
export { embeddingStamp } from './embeddings/embedding-stamp.js';
export type { ReindexOptions, ReindexProgress, ReindexReport } from './embeddings/reindex.js';
export { retrievalConfigSchema, retrievalWeightsSchema } from './retrieval/retrieval-config.js';
export type { RetrievalConfig, RetrievalWeights } from './retrieval/retrieval-config.js';
export type {
  RetrievalResult,
  RetrievalWhy,
  RetrievedEpisode,
  SignalStatus,
  TextEvidence,
  VectorEvidence,
} from './retrieval/retrieval-result.js';
export type { RetrieveInput } from './schemas/input-schemas.js';
export { cacheSettingsSchema, cacheTtlSchema } from './cache/cache-options.js';
export type { CacheSettings } from './cache/cache-options.js';
export type { InvalidateCacheInput } from './cache/invalidation.js';
export type { EpisodeJson } from './cache/read-through.js';
export { VectorMatrix } from './embeddings/vector-matrix.js';
export type { MatrixHit } from './embeddings/vector-matrix.js';
export { auditOperations, auditOutcomes, auditQuerySchema, localActor } from './audit/audit-event.js';
export type { AuditEntry, AuditEvent, AuditOperation, AuditOutcome, AuditQuery } from './audit/audit-event.js';
export { forgetSelectorSchema } from './privacy/forget-selector.js';
export type { ForgetSelector } from './privacy/forget-selector.js';
export type { ForgetReport } from './privacy/forget.js';
export { retentionPolicySchema } from './privacy/retention.js';
export type { RetentionPolicy, RetentionReport } from './privacy/retention.js';
export { verifyDatabase } from './maintenance/verify-database.js';
export type { VerifyOptions, VerifyReport } from './maintenance/verify-database.js';
export { restoreDatabase } from './maintenance/restore-database.js';
export type { RestoreOptions, RestoreReport } from './maintenance/restore-database.js';
export { rekeyDatabase } from './maintenance/rekey-database.js';
export type { RekeyOptions, RekeyReport } from './maintenance/rekey-database.js';
export type { RepairReport } from './maintenance/repair-database.js';
