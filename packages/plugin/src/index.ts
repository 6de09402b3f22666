export type { StandardSchemaV1 } from '@standard-schema/spec';
export type { BaselineStats } from './baseline-stats.js';
export {
  addEpisodeToStats,
  countEpisodeInStats,
  emptyBaselineStats,
  removeEpisodeFromStats,
  toBaseline,
} from './baseline-stats.js';
export type { ActionNormalizer, ActionRun, ParsedAction } from './canonical-actions.js';
export {
  collapseRepeats,
  isActionNormalizer,
  parseAction,
  runLengths,
  toolName,
} from './canonical-actions.js';
export { canonicalJson } from './canonical-json.js';
export { declaredHistory } from './declared-history.js';
export { defineEmbeddingProvider } from './define-embedding-provider.js';
export { defineMiner } from './define-miner.js';
export type { PluginDefinition, PluginFactory } from './define-plugin.js';
export { embedInSlices } from './embed-in-slices.js';
export type { EmbeddingProvider, EmbeddingProviderV1, EmbedOptions } from './embedding-provider.js';
export { assertEmbeddingProvider, embeddingProviderIssues } from './embedding-provider-check.js';
export type { EpisodeMeasures } from './episode-measures.js';
export { measureEpisode } from './episode-measures.js';
export type { EpisodeView, EpisodeViewStatus, StepView } from './episode-view.js';
export type { Histogram } from './histogram.js';
export type { BatchBudget } from './http/batch-by-size.js';
export { batchBySize } from './http/batch-by-size.js';
export type { EmbedBatchedOptions } from './http/embed-batched.js';
export { embedBatched } from './http/embed-batched.js';
export type { PostJsonOptions } from './http/post-json.js';
export { postJson } from './http/post-json.js';
export { readVector } from './http/read-vector.js';
export { retryDelayMs, serverRetryDelayMs } from './http/retry-delay.js';
export { scrubSecrets } from './http/scrub-secrets.js';
export type { JsonObject, JsonValue } from './json.js';
export type {
  Baseline,
  Distribution,
  MineInput,
  MinerHistoryUse,
  MiningHistory,
  PatternCandidate,
  PatternMinerV1,
} from './pattern-miner.js';
export { maxCandidatesPerMine, maxPatternDataChars } from './pattern-miner.js';
export {
  assertPatternMiner,
  isSuccessShare,
  patternMinerIssues,
  snakeCaseName,
} from './pattern-miner-check.js';
export type { PluginErrorCode, PluginErrorOptions, PluginIssue } from './plugin-error.js';
export { PluginError } from './plugin-error.js';
export { describeIssues, isStandardSchema, parseOptions, toPluginIssues } from './standard-schema.js';
export { wilsonLowerBound } from './wilson.js';
