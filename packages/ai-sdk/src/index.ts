export type { EpisodicClientLike } from './client-memory.js';
export type { EpisodicMemory, Recall, RecordedStep } from './memory-port.js';
export { memoryPrompt } from './memory-prompt.js';
export type { MemorySettings, WithMemoryOptions } from './with-memory.js';
export { withMemory } from './with-memory.js';
