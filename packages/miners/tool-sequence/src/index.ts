export type { Subsequence, SubsequenceOptions } from './subsequences.js';
export { windowedSubsequences } from './subsequences.js';
export type { ToolSequenceData, ToolSequenceOptions } from './tool-sequence-miner.js';
export {
  createToolSequenceMiner,
  repeatedAction,
  runElements,
  toolSequenceDataSchema,
  toolSequenceOptionsSchema,
} from './tool-sequence-miner.js';
