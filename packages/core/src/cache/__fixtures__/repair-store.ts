/**
 * A process with a store and its cache, opened at `url` ('opened'). On 'fill' it records `count`
 * episodes and reads each back, filling the cache ('filled'); on 'repair' it runs
 * `admin.repair()`, whose end drops every cached entry ('repaired'), and closes.
 *   argv: <database url> <count>
 */
import { openMemory } from '../../open-memory.js';

const [url = '', count = '300'] = process.argv.slice(2);
const memory = await openMemory({ url, miners: [] });
process.send?.('opened');
async function fill(): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < Number(count); i += 1) {
    const { id } = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: `episode ${i} ${'x'.repeat(500)}`,
    });
    ids.push(id);
  }
  for (const id of ids) await memory.episodes.get(id);
  process.send?.('filled');
}

async function repair(): Promise<void> {
  await memory.admin.repair();
  await memory.close();
  process.send?.('repaired');
  process.disconnect();
}

process.on('message', (message) => {
  // A failure ends the process, which the test reads as how it ended.
  if (message === 'fill') void fill();
  if (message === 'repair') void repair();
});
