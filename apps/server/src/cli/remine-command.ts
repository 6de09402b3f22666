import { localActor } from '@episodic/core';
import { openStore } from '../store/open-store.js';
import { type CommandArgs, flag } from './command-args.js';
import { print, printJson } from './output.js';

/**
 * `episodic remine`: mines every finished episode again with the miners of this configuration
 * (`admin.remine()`), what a learner's warning names once the store was mined with other miners.
 * It may run beside a server and workers: until its swap the live patterns are untouched, and the
 * swap replays what they mined meanwhile; killed part-way, it leaves them as they were.
 */
export async function remineCommand(args: CommandArgs): Promise<void> {
  const memory = await openStore(args.config, { existing: 'remine', embeddings: false, learning: false });
  try {
    const report = await memory.admin.remine({}, { actor: localActor });
    if (flag(args, 'json')) return printJson(report);
    print(
      `Remined ${report.episodes} episodes in ${(report.durationMs / 1000).toFixed(1)} s: ` +
        `${report.patterns} patterns.`,
    );
  } finally {
    await memory.close();
  }
}
