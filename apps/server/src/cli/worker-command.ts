import { openStore } from '../store/open-store.js';
import { type CommandArgs, refuseJson } from './command-args.js';
import { stopOnSignals } from './stop-on-signals.js';

/**
 * `episodic worker`: runs the learners (embedder, miners) against the store until SIGTERM or
 * SIGINT, beside a server or on its own. Processes coordinate through the learning queue's
 * leases, so several workers may run; a killed one's batches are taken over once its lease expires.
 */
export async function workerCommand(args: CommandArgs): Promise<void> {
  refuseJson(args, 'worker');
  const signals = args.signals ?? stopOnSignals();
  const memory = await openStore(args.config, { learning: true });
  signals.closeWith('finishing the batches in flight', () => memory.close());
  if (signals.stopping()) return;
  const status = await memory.learning.status();
  // The status also lists learners other processes run or once ran (their queued rows): name only
  // ours, and say which one this worker leaves to an older process set up with other settings.
  const ours = Object.entries(status.learners).flatMap(([name, learner]) =>
    learner.runsHere ? [name] : learner.leftTo === null ? [] : [`${name} left to ${learner.leftTo.process}`],
  );
  process.stdout.write(
    `Episodic worker learning (${ours.join(', ') || 'no learners configured'}); ` +
      `${status.pending} pending, ${status.failed} failed.\n`,
  );
}
