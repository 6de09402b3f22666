// Run with `node --input-type=module`: opens a store at argv[2], writes enough to start the
// background checkpoints, reads through the read worker, and prints the warnings it logged.
import { openMemory } from '../index.js';

const warnings: string[] = [];
const memory = await openMemory({
  url: `file:${process.argv[2]}`,
  cache: false,
  logger: { warn: (message) => warnings.push(message) },
});
for (let i = 0; i < 40; i += 1) {
  const episode = await memory.episodes.start({ taskType: 'testing', domain: 'web', context: `run ${i}` });
  await memory.episodes.logSteps(
    episode.id,
    Array.from({ length: 20 }, (_, n) => ({ action: `step ${n}`, result: `output ${i} ${n} `.repeat(200) })),
  );
  await memory.episodes.complete(episode.id, { status: 'completed' });
}
const found = await memory.search.text({ text: 'output' });
await memory.close();
console.log(JSON.stringify({ found: found.length, warnings }));
