// Records one episode with its steps, completes it, and prints it back from the store.
// Run from the repository root after a build: `node examples/record-episode.mjs`.
import { openMemory } from '@episodic/core';

const memory = await openMemory({ url: 'file:./data/memory.db' });
try {
  const episode = await memory.episodes.start({
    taskType: 'debugging',
    domain: 'example-shop',
    context: 'Checkout test fails with "TypeError: cannot read properties of undefined (reading total)"',
  });
  await memory.episodes.logSteps(episode.id, [
    {
      action: 'run_tests',
      result: 'TypeError: cannot read properties of undefined (reading total)',
      success: false,
      durationMs: 5200,
    },
    {
      action: 'read_file',
      result: 'src/cart.ts: total computed before items load',
      success: true,
      durationMs: 40,
    },
    {
      action: 'edit_file',
      result: 'await loadItems() before computing total',
      success: true,
      durationMs: 900,
    },
    { action: 'run_tests', result: '42 passed', success: true, durationMs: 5100 },
  ]);
  await memory.episodes.complete(episode.id, { status: 'completed' });

  const stored = await memory.episodes.get(episode.id);
  console.log(JSON.stringify(stored, null, 2));
  // Among the store's other episodes (./data may hold earlier runs' and the SDK example's), this one.
  const hits = await memory.search.text({ text: 'cannot read properties of undefined', limit: 50 });
  const seenBefore = hits.find((hit) => hit.episode.id === episode.id);
  console.log(`\nFull-text search finds it again: ${seenBefore?.matches[0]?.snippet}`);
  console.log(`Stored in ${memory.config.url}`);
} finally {
  await memory.close();
}
