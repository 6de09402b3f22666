import type { ModelMessage } from 'ai';
import type { EpisodicClientLike } from './client-memory.js';
import type { EpisodicMemory } from './memory-port.js';

interface MemoryOptions {
  /** An embedded store (`openMemory()` from `@episodic/core`) or a server (`createRemoteMemory()` from `@episodic/sdk`). */
  memory: EpisodicMemory;
  client?: never;
}
interface ClientOptions {
  /** A server through the full client, `createEpisodicClient()` from `@episodic/sdk`. */
  client: EpisodicClientLike;
  memory?: never;
}

export type WithMemoryOptions = (MemoryOptions | ClientOptions) & RunOptions;

interface RunOptions {
  /** The domain the episode is recorded in and past experience is looked up in. */
  domain: string;
  /** The episode's task type (`debugging`, `code_generation`, … or one the store was opened with). */
  taskType: string;
  /**
   * The task of a run, from the messages it starts with: stored as its episode's description and
   * used to look up past experience. Default: the text of the latest user message with text
   * (in a chat, the request of this run, not the first turn).
   */
  task?: (messages: ModelMessage[]) => string;
  /** Most tokens of past experience put in front of the model (about 4 characters a token). Default 800. */
  maxMemoryTokens?: number;
  /** How many past episodes to look up. Default 5. */
  episodes?: number;
  /** How many patterns to look up. Default 5. */
  patterns?: number;
  /** Longest tool result stored per step, in characters. Default 4000. */
  maxResultChars?: number;
  /**
   * Longest the run waits for the memory at any point, in milliseconds: a store that does not
   * answer by then is left behind, as an unreachable one is. Default 10 000.
   */
  memoryTimeoutMs?: number;
  /**
   * Where a failure of the memory itself goes (store unreachable, a write refused), and what
   * keeps a run from being recorded (one of your own hooks in place of ours, overlapping runs).
   * The model run goes on either way. Default: a warning on the console.
   */
  onMemoryError?: (error: unknown) => void;
}
