/**
 * Child process for the miner-set tests, as an `episodic worker` started with fewer miners than
 * the server: opens the store with the action-pair miner alone, polling the queue every `pollMs`
 * and renewing its claims every `leaseMs / 3`. Sends `ready`, then every warning it logs as
 * `{ warning }`, and answers `status` with `{ status }` (its `learning.status()`).
 */
import { createActionPairMiner } from '../../mining/__fixtures__/test-miners.js';
import { openMemory } from '../../open-memory.js';

const [url, pollMs, leaseMs] = process.argv.slice(2);
if (url === undefined || pollMs === undefined || leaseMs === undefined)
  throw new Error('usage: miner-set-process <url> <pollMs> <leaseMs>');
const memory = await openMemory({
  url,
  cache: false,
  miners: [createActionPairMiner()],
  learning: { pollMs: Number(pollMs), leaseMs: Number(leaseMs) },
  logger: { warn: (warning: string) => process.send?.({ warning }) },
});
process.on('message', () => {
  void memory.learning.status().then((status) => process.send?.({ status }));
});
process.send?.('ready');
