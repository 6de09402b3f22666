/**
 * Child process for the learning durability test: completes episodes as fast as it can with a
 * slow embedding provider, so that learning lags behind, and prints `ack complete <id>` for
 * every completion the engine acknowledged, until it is killed.
 */
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';
import { createTestEmbeddings } from './test-embeddings.js';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: learning-writer <url>');
const embeddings = createTestEmbeddings({ maxBatchSize: 4 });
const slow = {
  ...embeddings.provider,
  embed: async (texts: string[], options?: { signal?: AbortSignal }) => {
    await new Promise((resolve) => setTimeout(resolve, 40));
    return embeddings.provider.embed(texts, options);
  },
};
const memory = await openMemory({
  url,
  embeddings: slow,
  miners: [createActionPairMiner()],
  learning: { leaseMs: 500 },
});
const tools = ['read_file', 'edit_file', 'run_tests'];
for (let i = 0; ; i += 1) {
  const episode = await memory.episodes.start({
    taskType: 'testing',
    domain: 'durability',
    context: `run ${i}`,
  });
  await memory.episodes.logSteps(
    episode.id,
    [0, 1, 2].map((s) => ({
      action: `${tools[(i + s) % 3]} f${s}.ts`,
      result: 'ok',
      success: (i + s) % 4 !== 0,
    })),
  );
  await memory.episodes.complete(episode.id, { status: i % 3 === 0 ? 'failed' : 'completed' });
  process.stdout.write(`ack complete ${episode.id}\n`);
}
