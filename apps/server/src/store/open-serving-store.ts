import type { Memory } from '@episodic/core';
import { placePlugin, pluginSlots } from '../config/load-plugins.js';
import { type PluginPlacement, recipeOf } from '../config/plugin-recipes.js';
import type { ServerConfig } from '../config/server-config.js';
import { superviseLearningThread } from './learning-supervisor.js';
import type { LearningThread } from './learning-thread.js';
import type { LearningThreadSettings, ThreadMemory } from './learning-thread-protocol.js';
import { openStore } from './open-store.js';

/** Whether this process runs the learners at all (`memory.learning.run`, true unless set false). */
export function runsLearners(config: ServerConfig): boolean {
  return (config.memory.learning as { run?: unknown } | undefined)?.run !== false;
}

/** Whether `serve` runs the learners, and where: see `learningThread` in the README. */
function learnsInThread(config: ServerConfig): boolean {
  return config.learningThread && runsLearners(config);
}

/**
 * The learning thread's settings, or `null` when they cannot reach it. A worker thread receives
 * its settings as a structured clone, which cannot carry functions: each plugin object goes as
 * the recipe it was loaded by (its package, or its place in the config file), and the thread
 * makes its own. A plugin with no recipe (passed to `startServer` as an object) or whose options
 * cannot be cloned can only run on the thread that has it.
 */
function threadSettings(config: ServerConfig): LearningThreadSettings | null {
  const plugins: PluginPlacement[] = [];
  for (const { path, value } of pluginSlots(config as unknown as Record<string, unknown>)) {
    const recipe = recipeOf(value);
    if (recipe === undefined) return null;
    plugins.push({ path, recipe });
  }
  // Each plugin's place left empty: the thread fills it with its own.
  const placeholders = { ...config, miners: [...config.miners] };
  for (const { path } of plugins) placePlugin(placeholders as unknown as Record<string, unknown>, path, null);
  try {
    return structuredClone({ config: placeholders, plugins });
  } catch {
    return null;
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
  const settings = threadSettings(config);
  if (settings === null) {
    log(
      'episodic: learning runs on the serving thread: the plugins in these settings cannot be handed to a worker thread',
    );
    return openStore(config);
  }
  const memory = await openStore(config, { learning: false });
  const thread = superviseLearningThread(settings, memory, log);
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
