/**
 * Child process for the killed-forget tests: forgets every episode of `<domain>` in batches of
 * `<batchSize>` (waiting for the purge, as `episodic forget` does), then prints `done`; with
 * `retention` for the batch size, a retention pass deletes them instead (every one is past a
 * `deleteAfterDays` of one day, two days from now). The parent kills it part-way.
 */
import { openMemory } from '../open-memory.js';
import { testCacheEnabled } from './temp-store.js';

const [url, domain, batchSize] = process.argv.slice(2);
if (url === undefined || domain === undefined || batchSize === undefined)
  throw new Error('usage: forget-domain <url> <domain> <batchSize|retention>');
const memory = await openMemory({ url, ...(testCacheEnabled ? {} : { cache: false }) });
if (batchSize === 'retention')
  await memory.admin.retention(
    { [domain]: { deleteAfterDays: 1 } },
    { now: new Date(Date.now() + 2 * 86_400_000) },
  );
else await memory.admin.forget({ domain }, { batchSize: Number(batchSize), purge: 'wait' });
await memory.close();
process.stdout.write('done\n');
