/**
 * Child process for the background-checkpoint test: writes enough for the checkpoint worker to
 * start, closes the store, and says so. A process with nothing else to do must still get there.
 */
import { openMemory } from '../open-memory.js';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: write-then-close <url>');
const memory = await openMemory({ url, cache: false });
const episode = await memory.episodes.start({ taskType: 'testing', domain: 'checkpoints' });
for (let i = 0; i < 60; i += 1)
  await memory.episodes.logSteps(episode.id, [{ action: `write ${i}`, result: `${i} `.repeat(15_000) }]);
await memory.close();
process.stdout.write('closed\n');
