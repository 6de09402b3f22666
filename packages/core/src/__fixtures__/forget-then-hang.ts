/**
 * Child process for the purge-durability test: records an episode holding `<secret>`, forgets it
 * (default options: the purge is left to the background), says so, then blocks its event loop so
 * the purge never runs before the parent kills it.
 */
import { openMemory } from '../open-memory.js';

const [url, secret] = process.argv.slice(2);
if (url === undefined || secret === undefined) throw new Error('usage: forget-then-hang <url> <secret>');
const memory = await openMemory({ url, cache: false });
const episode = await memory.episodes.start({
  taskType: 'testing',
  domain: 'purge',
  context: `context ${secret}`,
});
await memory.episodes.logSteps(episode.id, [{ action: 'run', result: `result ${secret}` }]);
await memory.episodes.complete(episode.id, { status: 'completed' });
const report = await memory.admin.forget({ episodeIds: [episode.id] });
process.stdout.write(`forgotten ${report.purge}\n`);
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
