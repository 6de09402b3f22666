export type { EmbeddingProviderFactory, EmbeddingProviderSuiteOptions } from './embedding-provider-suite.js';
export { testEmbeddingProvider } from './embedding-provider-suite.js';
export type { BuildOptions, EpisodeFixture, StepFixture } from './episode-fixtures.js';
export { buildEpisode, createMineInputs } from './episode-fixtures.js';
export type {
  PatternMinerCheck,
  PatternMinerFactory,
  PatternMinerSuiteOptions,
} from './pattern-miner-checks.js';
export { patternMinerChecks } from './pattern-miner-checks.js';
export { testPatternMiner } from './pattern-miner-suite.js';
