export type { ActionKind, ActionMatcher, ActionMatchers } from './test-actions.js';
export {
  classifyAction,
  defaultChangeMatchers,
  defaultTestMatchers,
  isTargetedTest,
} from './test-actions.js';
export type {
  TestingStrategy,
  TestingStrategyData,
  TestingStrategyOptions,
} from './testing-strategy-miner.js';
export {
  createTestingStrategyMiner,
  testingStrategies,
  testingStrategyDataSchema,
  testingStrategyOptionsSchema,
} from './testing-strategy-miner.js';
