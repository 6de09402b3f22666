import type { Memory } from '@episodic/core';

/** Records `count` completed episodes in domain `web`, each with a failed step; returns their ids. */
export async function recordEpisodes(memory: Memory, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: `case ${i}`,
    });
    await memory.episodes.logSteps(episode.id, [
      { action: 'read_file app.ts', success: true },
      { action: 'run_tests', result: 'TypeError: x is undefined', success: false },
      { action: 'edit_file app.ts', success: true },
    ]);
    await memory.episodes.complete(episode.id, { status: 'completed' });
    ids.push(episode.id);
  }
  return ids;
}
