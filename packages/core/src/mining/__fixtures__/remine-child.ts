/**
 * Child process for the interrupted-remine test: remines the store at `url` with the test miners,
 * each episode slowed down so that the parent can kill it between batches.
 */

import type { PatternMinerV1 } from '@episodic/plugin';
import { openMemory } from '../../open-memory.js';
import { createActionPairMiner, createHistoryProbeMiner } from './test-miners.js';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: remine-child <url>');
const slow = (miner: PatternMinerV1): PatternMinerV1 => ({
  ...miner,
  mine: async (input) => {
    await new Promise((resolve) => setTimeout(resolve, 25));
    return miner.mine(input);
  },
});
const memory = await openMemory({
  url,
  cache: false,
  miners: [
    slow(createActionPairMiner() as PatternMinerV1),
    slow(createHistoryProbeMiner() as PatternMinerV1),
  ],
});
process.stdout.write('remining\n');
await memory.admin.remine({ batchSize: 2 });
process.stdout.write('done\n');
await memory.close();
