export { createToolSequenceMiner, toolSequenceDataSchema, toolSequenceOptionsSchema } from './tool-sequence-miner.js';
export type { ToolSequenceData, ToolSequenceOptions } from './tool-sequence-miner.js';
export { windowedSubsequences } from './subsequences.js';
export type { Subsequence, SubsequenceOptions } from './subsequences.js';
