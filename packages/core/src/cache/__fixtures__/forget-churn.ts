/**
 * Child process for the concurrent-purge cache test: opens `<database url>` with its default
 * cache (the folder beside the database, shared with every other process of it), prints
 * `ready`, waits for a line on stdin (so that every process starts at once), then `<rounds>`
 * times records an episode, reads it (filling the cache) and forgets it with `purge: 'wait'`,
 * each purge replacing the cache's environment. Prints the cache's state and every warning.
 */
import { once } from 'node:events';
import { newId } from '../../ids.js';
import { openMemory } from '../../open-memory.js';

const [url, rounds] = process.argv.slice(2);
if (url === undefined || rounds === undefined) throw new Error('usage: forget-churn <url> <rounds>');
const warnings: string[] = [];
const memory = await openMemory({ url, cache: {}, logger: { warn: (message) => warnings.push(message) } });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
for (let round = 0; round < Number(rounds); round += 1) {
  const id = newId();
  await memory.episodes.record([{ id, taskType: 'debugging', domain: 'web', context: `round ${round}` }]);
  await memory.episodes.get(id);
  await memory.admin.forget({ episodeIds: [id] }, { purge: 'wait' });
}
const { enabled, reason } = memory.admin.cacheStats();
await memory.close();
process.stdout.write(`${JSON.stringify({ enabled, reason, warnings })}\n`);
process.stdin.destroy();
