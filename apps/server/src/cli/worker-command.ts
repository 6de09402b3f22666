import { openStore } from '../store/open-store.js';
import type { CommandArgs } from './command-args.js';

/**
 * `episodic worker`: runs the learners (embedder, miners) against the store until SIGTERM or
 * SIGINT, beside a server or on its own. Processes coordinate through the learning queue's
 * leases, so several workers may run; a killed one's batches are taken over once its lease expires.
 */
export async function workerCommand({ config }: CommandArgs): Promise<void> {
  const memory = await openStore(config, { learning: true });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal}: finishing the batches in flight, then closing the store.\n`);
    memory.close().then(
      () => {
        process.stderr.write('Stopped cleanly.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const status = await memory.learning.status();
  process.stdout.write(
    `Episodic worker learning (${Object.keys(status.learners).join(', ') || 'no learners configured'}); ` +
      `${status.pending} pending, ${status.failed} failed.\n`,
  );
}
