import type { FlushInput, LearningStatus } from '@episodic/core';
import type { PluginPlacement } from '../config/plugin-recipes.js';
import type { ServerConfig } from '../config/server-config.js';
import type { HeapSpaces } from '../http/heap-spaces.js';

/** How often the learning thread says its event loop turns. */
export const beatMs = 1000;

/** The settings the learning thread opens its store with. */
export interface LearningThreadSettings {
  /** The server's settings, each plugin's place empty (`null`): structured-cloneable. */
  config: ServerConfig;
  /** The plugins the thread makes for itself and puts in those places. */
  plugins: PluginPlacement[];
}

/** One miner's `mine()` on one episode, as the learning thread reports it (watched-miner.ts). */
export interface MinerCall {
  /** The miner's `patternType`. */
  miner: string;
  episodeId: string;
}

/** What the learning thread starts with. */
export interface LearningThreadData extends LearningThreadSettings {
  /** The serving thread's write locks (`shareWriteLocks`). */
  writeLocks: Record<string, SharedArrayBuffer>;
  /** Calls an earlier learning thread was stopped in: refused at once (watched-miner.ts). */
  skip: MinerCall[];
}

/** A thread's own V8 memory, in bytes: `process.memoryUsage()` read inside it, less the process-wide rss. */
export interface ThreadMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  spaces: HeapSpaces;
}

/** A call from the serving thread to the learning thread. */
export type LearningThreadCall =
  | { id: number; call: 'status' }
  | { id: number; call: 'flush'; input: FlushInput }
  | { id: number; call: 'retryFailed' }
  | { id: number; call: 'memory' }
  | { id: number; call: 'close' };

/**
 * What the learning thread sends back: one `opened` first, then one reply per call; between them,
 * once open, a `beat` every `beatMs` while its event loop turns, and each miner call it starts
 * and sees settle.
 */
export type LearningThreadMessage =
  | { opened: true }
  | { opened: false; message: string }
  | { beat: true }
  | { started: MinerCall }
  | { settled: MinerCall }
  | { id: number; value: LearningStatus | ThreadMemory | number | null }
  | { id: number; error: { code: string | null; message: string } };
