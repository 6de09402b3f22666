import { openStore } from '../store/open-store.js';
import { type CommandArgs, flag } from './command-args.js';
import { print, printJson } from './output.js';

/**
 * `episodic repair [--dry-run]`: reports orphans (steps or embeddings whose episode is gone,
 * links to missing rows) and, unless `--dry-run`, re-creates lost episodes from their ids,
 * removes broken links and rebuilds the full-text indexes, saying what it changed.
 */
export async function repairCommand(args: CommandArgs): Promise<void> {
  const dryRun = flag(args, 'dry-run');
  const memory = await openStore(args.config, { existing: 'repair', embeddings: false, learning: false });
  try {
    const report = await memory.admin.repair({ dryRun });
    if (flag(args, 'json')) return printJson(report);
    print(
      `Found ${report.orphanSteps} orphan steps, ${report.orphanEmbeddings} orphan embeddings ` +
        `(${report.recoveredEpisodes.length} lost episodes) and ${report.brokenLinks} broken pattern links.`,
    );
    if (dryRun) print('Dry run: nothing was changed. Run `episodic repair` to mend it.');
    else for (const change of report.changes) print(`- ${change}`);
    if (report.recoveredEpisodes.length > 0 && !dryRun) {
      print(
        'Partial data loss: the lost episodes were re-created from their ids in domain "recovered" (archived).',
      );
    }
  } finally {
    await memory.close();
  }
}
