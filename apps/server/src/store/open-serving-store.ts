import type { Memory } from '@episodic/core';
import type { ServerConfig } from '../config/server-config.js';
import { superviseLearningThread } from './learning-supervisor.js';
import type { LearningThread } from './learning-thread.js';
import type { ThreadMemory } from './learning-thread-protocol.js';
import { openStore } from './open-store.js';

/** Whether `serve` runs the learners, and where: see `learningThread` in the README. */
function learnsInThread(config: ServerConfig): boolean {
  const learning = config.memory.learning as { run?: unknown } | undefined;
  return config.learningThread && learning?.run !== false;
}

/**
 * A worker thread receives its settings as a structured clone, which cannot carry functions: a
 * plugin object (a miner or provider from `episodic.config.*`, or one passed to `startServer`)
 * can only run on the thread that loaded it.
 */
function isCloneable(config: ServerConfig): boolean {
  try {
    structuredClone(config);
    return true;
  } catch {
    return false;
  }
}

/** The learning thread of each store opened here, for `/metrics`: `Memory` has no place for it. */
const threads = new WeakMap<Memory, LearningThread>();

/** The heap of the store's learning thread, or `null` when it learns on the serving thread (or not at all). */
export function learningThreadMemory(memory: Memory): Promise<ThreadMemory> | null {
  return threads.get(memory)?.memory() ?? null;
}

/**
 * Opens the store `episodic serve` serves. Its learners run in a worker thread with their own
 * connection, so a completion never waits for the event loop while a miner or a local model
 * computes; the two coordinate through the learning queue, as with `episodic worker`.
 */
export async function openServingStore(
  config: ServerConfig,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Memory> {
  if (!learnsInThread(config)) return openStore(config);
  if (!isCloneable(config)) {
    log(
      'episodic: learning runs on the serving thread: the plugins in these settings cannot be handed to a worker thread',
    );
    return openStore(config);
  }
  const memory = await openStore(config, { learning: false });
  const thread = superviseLearningThread(config, memory, log);
  const serving: Memory = {
    config: memory.config,
    schemas: memory.schemas,
    migration: memory.migration,
    episodes: memory.episodes,
    search: memory.search,
    patterns: memory.patterns,
    // The thread's view: it runs the learners, so it knows their throughput and wakes them.
    learning: {
      status: () => thread.status(),
      flush: (input = {}) => thread.flush(input),
      retryFailed: () => thread.retryFailed(),
      // The serving side has the same configuration, and the check of who runs it is in the database.
      retire: (learner, options) => memory.learning.retire(learner, options),
    },
    admin: memory.admin,
    tokens: memory.tokens,
    async close() {
      await thread.close();
      await memory.close();
    },
  };
  threads.set(serving, thread);
  return serving;
}
