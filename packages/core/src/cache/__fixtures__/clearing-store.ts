/**
 * A process with a store and its cache, opened at `url` ('opened'). On 'fill' it records `count`
 * episodes and reads each back, filling the cache ('filled'). Then one of the writes that remove
 * cached entries, answered with its name once done:
 * - 'repair': `admin.repair()`, whose end drops every cached entry;
 * - 'forget': `admin.forget` of one episode, which drops every cached entry until the purge that follows;
 * - 'archive': archives each episode in turn, each write removing that episode's entry.
 * On 'close' it closes the store and answers 'closed'.
 *   argv: <database url> <count>
 */
import { openMemory } from '../../open-memory.js';

const [url = '', count = '300'] = process.argv.slice(2);
const memory = await openMemory({ url, miners: [] });
const ids: string[] = [];
process.send?.('opened');

async function fill(): Promise<void> {
  for (let i = 0; i < Number(count); i += 1) {
    const { id } = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: `episode ${i} ${'x'.repeat(500)}`,
    });
    ids.push(id);
  }
  for (const id of ids) await memory.episodes.get(id);
}

const operations: Record<string, () => Promise<void>> = {
  fill,
  repair: async () => void (await memory.admin.repair()),
  forget: async () => void (await memory.admin.forget({ episodeIds: [ids[0] ?? ''] })),
  async archive() {
    for (const id of ids) await memory.episodes.archive(id);
  },
  close: () => memory.close(),
};
const answers: Record<string, string> = { fill: 'filled', close: 'closed' };

process.on('message', (message) => {
  const operation = operations[String(message)];
  if (operation === undefined) return;
  // A failure ends the process, which the test reads as how it ended.
  void operation().then(() => {
    process.send?.(answers[String(message)] ?? String(message));
    if (message === 'close') process.disconnect();
  });
});
