import { localActor } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { openStore } from '../store/open-store.js';
import { type CommandArgs, flag } from './command-args.js';
import { note, print, printJson, table } from './output.js';

/**
 * `episodic retention apply`: applies the config file's `retention` policies once, as the
 * server does on its schedule (archive after `archiveAfterDays`, forget after `deleteAfterDays`),
 * and prunes audit entries older than `memory.audit.retentionDays` (90 by default).
 */
export async function retentionCommand(args: CommandArgs): Promise<void> {
  const [action] = args.positionals;
  if (action !== 'apply')
    throw new ServerError('USAGE', `Unknown retention action "${action ?? ''}": use apply.`);
  const policies = args.config.retention;
  const memory = await openStore(args.config, { existing: 'retention', embeddings: false, learning: false });
  try {
    const report = await memory.admin.retention(policies, { actor: localActor });
    if (flag(args, 'json')) return printJson(report);
    const rows = Object.keys(policies).map((domain) => [
      domain,
      String(report.archived[domain] ?? '-'),
      String(report.deleted[domain] ?? '-'),
    ]);
    if (rows.length > 0) print(table([['DOMAIN', 'ARCHIVED', 'DELETED'], ...rows]));
    else note('No retention policies for episodes (set "retention" in the config file).');
    note(`Pruned ${report.auditPruned} audit entries past their retention period.`);
    const purge = await memory.admin.purge();
    if (Object.values(report.deleted).some((n) => n > 0))
      note(
        purge.pendingSince === null
          ? 'Purged: none of the deleted text is left in the database file or its WAL.'
          : 'Purge pending (readers kept the WAL busy): it runs again at the next forget or open.',
      );
  } finally {
    await memory.close();
  }
}
