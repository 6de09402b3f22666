import { localActor } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { openStore } from '../store/open-store.js';
import { type CommandArgs, flag } from './command-args.js';
import { print, printJson, table } from './output.js';

/**
 * `episodic retention apply`: applies the config file's `retention` policies once, as the
 * server does on its schedule (archive after `archiveAfterDays`, forget after `deleteAfterDays`).
 */
export async function retentionCommand(args: CommandArgs): Promise<void> {
  const [action] = args.positionals;
  if (action !== 'apply')
    throw new ServerError('USAGE', `Unknown retention action "${action ?? ''}": use apply.`);
  const policies = args.config.retention;
  if (Object.keys(policies).length === 0) {
    throw new ServerError(
      'CONFIG',
      'No retention policies: set "retention" in the config file, e.g. {"retention": {"web": {"deleteAfterDays": 90}}}.',
    );
  }
  const memory = await openStore(args.config, { learning: false });
  try {
    const report = await memory.admin.retention(policies, { actor: localActor });
    if (flag(args, 'json')) return printJson(report);
    const rows = Object.keys(policies).map((domain) => [
      domain,
      String(report.archived[domain] ?? '-'),
      String(report.deleted[domain] ?? '-'),
    ]);
    print(table([['DOMAIN', 'ARCHIVED', 'DELETED'], ...rows]));
  } finally {
    await memory.close();
  }
}
