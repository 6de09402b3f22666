import { type Memory, openMemory } from '../../open-memory.js';

/** What a test closes or removes after each case, last first. */
export type Cleanups = (() => Promise<void> | void)[];

/** A store without the cache (these tests read the queue, not cached reads), closed with `cleanups`. */
export async function openLearningStore(
  cleanups: Cleanups,
  url: string,
  config: Parameters<typeof openMemory>[0] = {},
): Promise<Memory> {
  const memory = await openMemory({ url, cache: false, ...config });
  cleanups.push(() => memory.close());
  return memory;
}

/** A completed two-step episode: its completion queues a row for every registered learner. */
export async function finishedEpisode(memory: Memory, context: string): Promise<string> {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web', context });
  await memory.episodes.logSteps(episode.id, [{ action: 'read_file' }, { action: 'edit_file' }]);
  await memory.episodes.complete(episode.id, { status: 'completed' });
  return episode.id;
}
