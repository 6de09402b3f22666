/**
 * Child process for the liveness tests, as an `episodic worker` beside an agent: opens the store
 * running a miner, with the lease (and so the claim to run it) `leaseMs` long, says `ready`, and
 * learns only once the parent says `learn`, saying `mining` when it holds an episode. Killed, it
 * leaves its claim to run out.
 */
import type { PatternMinerV1 } from '@episodic/plugin';
import { createActionPairMiner } from '../../mining/__fixtures__/test-miners.js';
import { openMemory } from '../../open-memory.js';

const [url, leaseMs] = process.argv.slice(2);
if (url === undefined || leaseMs === undefined) throw new Error('usage: learner-process <url> <leaseMs>');
const allowed = new Promise<void>((resolve) => process.once('message', () => resolve()));
const pair = createActionPairMiner();
const miner: PatternMinerV1 = {
  ...(pair as PatternMinerV1),
  mine: async (input) => {
    process.send?.('mining');
    await allowed;
    return pair.mine(input);
  },
};
await openMemory({ url, cache: false, miners: [miner], learning: { leaseMs: Number(leaseMs) } });
process.send?.('ready');
