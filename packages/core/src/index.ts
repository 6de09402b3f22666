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
export type { Memory } from './open-memory.js';
export { newId } from './ids.js';
export { cacheKeyspaces } from './cache/cache-stats.js';
export type { CacheKeyspace, CacheStats, KeyspaceStats } from './cache/cache-stats.js';
