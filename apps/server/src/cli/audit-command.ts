import {
  type AuditEntry,
  type AuditOperation,
  type AuditOutcome,
  auditOperations,
  auditOutcomes,
} from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { openStore } from '../store/open-store.js';
import { type CommandArgs, flag, stringOption } from './command-args.js';
import { print, printJson, table } from './output.js';

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO time, or a span back from now: `30m`, `24h`, `7d`. */
export function parseTime(text: string | undefined, flagName: string, now = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  const span = /^(\d+)([smhd])$/.exec(text.trim());
  if (span !== null)
    return new Date(now - Number(span[1]) * (units[span[2] as string] as number)).toISOString();
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new ServerError(
      'USAGE',
      `--${flagName} ${text}: expected an ISO time (2026-01-31T12:00:00Z) or a span (30m, 24h, 7d).`,
    );
  return new Date(time).toISOString();
}

function oneOf<T extends string>(
  values: readonly T[],
  text: string | undefined,
  flagName: string,
): T | undefined {
  if (text === undefined) return undefined;
  if (!(values as readonly string[]).includes(text))
    throw new ServerError('USAGE', `--${flagName} ${text}: use ${values.join(', ')}.`);
  return text as T;
}

const row = (entry: AuditEntry) => [
  entry.at,
  entry.actor,
  entry.operation,
  entry.entityType,
  entry.entityId ?? '-',
  entry.domain ?? '-',
  entry.outcome,
];

/** `episodic audit [--since --until --actor --operation --outcome --limit --json]`: the audit log, oldest first. */
export async function auditCommand(args: CommandArgs): Promise<void> {
  const limitText = stringOption(args, 'limit');
  const limit = limitText === undefined ? 100 : Number(limitText);
  const filters = {
    since: parseTime(stringOption(args, 'since'), 'since'),
    until: parseTime(stringOption(args, 'until'), 'until'),
    actor: stringOption(args, 'actor'),
    operation: oneOf<AuditOperation>(auditOperations, stringOption(args, 'operation'), 'operation'),
    outcome: oneOf<AuditOutcome>(auditOutcomes, stringOption(args, 'outcome'), 'outcome'),
    limit,
  };
  const memory = await openStore(args.config, { learning: false });
  try {
    const entries = await memory.admin.audit(filters);
    if (flag(args, 'json')) return printJson(entries);
    print(table([['AT', 'ACTOR', 'OPERATION', 'ENTITY', 'ID', 'DOMAIN', 'OUTCOME'], ...entries.map(row)]));
    if (entries.length === limit) print(`(first ${limit}; narrow the filters, or raise --limit up to 1000)`);
  } finally {
    await memory.close();
  }
}
