import type { LearningStatus } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { openStore } from '../store/open-store.js';
import { type CommandArgs, flag } from './command-args.js';
import { print, printJson, table } from './output.js';

function statusTable(status: LearningStatus): string {
  return table([
    ['LEARNER', 'RUNNING', 'PENDING', 'FAILED', 'LAST FAILURE'],
    ...Object.entries(status.learners).map(([name, learner]) => [
      name,
      // Whether any process (a server, a worker) runs it now; this command runs none itself.
      learner.alive ? 'yes' : `no${learner.lastSeenAt === null ? '' : ` (last ${learner.lastSeenAt})`}`,
      String(learner.pending),
      String(learner.failed),
      learner.lastFailure === null
        ? '-'
        : `${learner.lastFailure.failedAt} episode ${learner.lastFailure.episodeId}: ${learner.lastFailure.error}`,
    ]),
  ]);
}

/**
 * `episodic learning status|retry|retire`, on the same store `serve` would open, without running
 * the learners: `retry` queues the failed rows again, and whichever process learns (serve's learning
 * thread, `episodic worker`) takes them on its next poll. Status lists the learners this
 * configuration has and any other with queued rows, each with whether some process runs it now;
 * only this configuration's learners are retried, as they are the ones it knows. `retire NAME`
 * deletes a learner no process runs any more, with its rows; it is refused while this configuration
 * has it, since the server it describes would queue work for it again.
 */
export async function learningCommand(args: CommandArgs): Promise<void> {
  const [action, learner] = args.positionals;
  if (action !== 'status' && action !== 'retry' && action !== 'retire')
    throw new ServerError('USAGE', 'learning needs an action: status, retry or retire NAME.');
  if (action === 'retire' && learner === undefined)
    throw new ServerError(
      'USAGE',
      'learning retire needs the name of a learner (see `episodic learning status`).',
    );
  const memory = await openStore(args.config, { existing: 'learning', learning: false });
  try {
    if (action === 'status') {
      const status = await memory.learning.status();
      if (flag(args, 'json')) printJson(status);
      else print(statusTable(status));
      return;
    }
    if (action === 'retire') {
      const retired = await memory.learning.retire(learner as string);
      if (flag(args, 'json')) return printJson(retired);
      print(
        `Retired learner ${retired.learner}: deleted ${retired.pending} pending and ${retired.failed} failed rows; ` +
          'completions no longer queue work for it, until a process runs a learner of that name again.',
      );
      return;
    }
    const retried = await memory.learning.retryFailed();
    if (flag(args, 'json')) return printJson({ retried });
    print(`Queued ${retried} failed rows again; the server or an \`episodic worker\` learns them.`);
  } finally {
    await memory.close();
  }
}
