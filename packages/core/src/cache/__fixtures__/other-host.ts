/**
 * A store on "another host" for the change-feed tests: the same database file, its own cache
 * folder (each host has its own), one write, then it exits.
 *   argv: <database url> <cache folder> <episode id> <step action>
 * Logs the step and completes the episode.
 */
import { openMemory } from '../../open-memory.js';

const [url, cachePath, episodeId, action] = process.argv.slice(2);
if (url === undefined || cachePath === undefined || episodeId === undefined || action === undefined)
  throw new Error('usage: other-host.ts <url> <cache folder> <episode id> <step action>');

const memory = await openMemory({ url, cache: { path: cachePath } });
await memory.episodes.logStep(episodeId, { action, result: `${action} done`, success: true });
await memory.episodes.complete(episodeId, { status: 'completed' });
await memory.close();
process.stdout.write('written\n');
