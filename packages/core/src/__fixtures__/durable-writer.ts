/**
 * Child process for the durability test: writes as fast as it can and prints a line for every
 * write the engine has acknowledged, until it is killed.
 *   ack start <id> | ack steps <id> <count> | ack complete <id>
 */
import { openMemory } from '../open-memory.js';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: durable-writer <url>');
const memory = await openMemory({ url });
const ack = (line: string) => process.stdout.write(`ack ${line}\n`);

for (let i = 0; ; i += 1) {
  const episode = await memory.episodes.start({
    taskType: 'testing',
    domain: 'durability',
    context: `run ${i}`,
  });
  ack(`start ${episode.id}`);
  let count = 0;
  for (let batch = 0; batch < 3; batch += 1) {
    const steps = Array.from({ length: 4 }, (_, s) => ({
      action: `step ${batch}.${s}`,
      result: 'x'.repeat(200),
    }));
    count += (await memory.episodes.logSteps(episode.id, steps)).length;
    ack(`steps ${episode.id} ${count}`);
  }
  await memory.episodes.complete(episode.id, { status: 'completed' });
  ack(`complete ${episode.id}`);
}
