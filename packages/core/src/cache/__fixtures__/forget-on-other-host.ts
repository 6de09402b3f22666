/**
 * A store on "another host" for the change-feed tests: the same database file, its own cache
 * folder, one forget (waiting for its purge), then it exits.
 *   argv: <database url> <cache folder> <episode id>
 */
import { openMemory } from '../../open-memory.js';

const [url, cachePath, episodeId] = process.argv.slice(2);
if (url === undefined || cachePath === undefined || episodeId === undefined)
  throw new Error('usage: forget-on-other-host.ts <url> <cache folder> <episode id>');

const memory = await openMemory({ url, cache: { path: cachePath } });
const report = await memory.admin.forget({ episodeIds: [episodeId] }, { purge: 'wait' });
await memory.close();
process.stdout.write(`forgotten ${report.episodeIds.length}, purge ${report.purge}\n`);
