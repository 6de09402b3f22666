export type { EpisodicClientLike } from './client-memory.js';
export type { RecordingErrorCode } from './hook-reports.js';
export { RecordingError } from './hook-reports.js';
export type { EpisodicMemory, Recall, RecordedStep, StoredStep } from './memory-port.js';
export { memoryPrompt } from './memory-prompt.js';
export type { PastEpisode, PastExperience } from './past-experience.js';
export type { RunStatus } from './run-recorder.js';
export type { MemorySettings, WithMemoryOptions } from './with-memory.js';
export { withMemory } from './with-memory.js';
