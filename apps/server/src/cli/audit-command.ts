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

/** A date, or a date and time to the minute or finer, with an optional zone (UTC without). */
const isoTime = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** 0000-01-01T00:00:00Z: an earlier time has no four-digit ISO year, and the engine refuses it. */
const earliest = -62_167_219_200_000;

/** Whether the `YYYY-MM-DD` the text starts with is a day of the calendar (`Date.parse` rolls 02-30 to 03-02). */
function realDay(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO time, or a span back from now: `30m`, `24h`, `7d`. */
export function parseTime(text: string | undefined, flagName: string, now = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  const refuse = (why = '') =>
    new ServerError(
      'USAGE',
      `--${flagName} ${text}: expected an ISO time (2026-01-31T12:00:00Z) or a span (30m, 24h, 7d)${why}.`,
    );
  const span = /^(\d+)([smhd])$/.exec(text.trim());
  if (span !== null) {
    const time = now - Number(span[1]) * (units[span[2] as string] as number);
    if (!(time >= earliest)) throw refuse(', at most back to the year 0');
    return new Date(time).toISOString();
  }
  // Only ISO: `Date.parse` also guesses at other text (`90` is the year 1990, `Dec 5` a day in 2001).
  // A time of day without a zone is UTC, as a date alone is (`Date.parse` read it as this machine's
  // local time: the same --before deleted hours more or fewer episodes under another TZ).
  const trimmed = text.trim();
  const zoned =
    /(?:z|[+-]\d{2}:?\d{2})$/iu.test(trimmed) || trimmed.length === 10
      ? trimmed
      : `${trimmed.replace(' ', 'T')}Z`;
  const time = isoTime.test(trimmed) && realDay(trimmed) ? Date.parse(zoned) : Number.NaN;
  if (Number.isNaN(time)) throw refuse();
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
  String(entry.seq),
  entry.at,
  entry.actor,
  entry.operation,
  entry.entityType,
  entry.entityId ?? '-',
  entry.domain ?? '-',
  entry.outcome,
];

/**
 * `--limit N`, checked here: the engine's own refusal (`limit: … received NaN`) names no flag and,
 * as an engine error, comes without the usage text a value that does not parse gets.
 */
function parseLimit(text: string | undefined): number {
  if (text === undefined) return 100;
  const limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= 1000))
    throw new ServerError('USAGE', `--limit ${text}: expected a whole number from 1 to 1000.`);
  return limit;
}

/** `--after SEQ`: the page after the entry numbered SEQ (the first column, `seq` in JSON). */
function parseAfter(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const after = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(after))
    throw new ServerError(
      'USAGE',
      `--after ${text}: expected an entry's number (the SEQ column), 0 or more.`,
    );
  return after;
}

/**
 * `episodic audit [--since --until --actor --operation --outcome --limit --after --json]`: the
 * audit log, oldest first, a page of `--limit` entries at a time; `--after` the last one's number
 * gives the next page.
 */
export async function auditCommand(args: CommandArgs): Promise<void> {
  const limit = parseLimit(stringOption(args, 'limit'));
  const filters = {
    since: parseTime(stringOption(args, 'since'), 'since'),
    until: parseTime(stringOption(args, 'until'), 'until'),
    actor: stringOption(args, 'actor'),
    operation: oneOf<AuditOperation>(auditOperations, stringOption(args, 'operation'), 'operation'),
    outcome: oneOf<AuditOutcome>(auditOutcomes, stringOption(args, 'outcome'), 'outcome'),
    afterSeq: parseAfter(stringOption(args, 'after')),
    limit,
  };
  const memory = await openStore(args.config, { existing: 'audit', embeddings: false, learning: false });
  try {
    const entries = await memory.admin.audit(filters);
    if (flag(args, 'json')) return printJson(entries);
    print(
      table([['SEQ', 'AT', 'ACTOR', 'OPERATION', 'ENTITY', 'ID', 'DOMAIN', 'OUTCOME'], ...entries.map(row)]),
    );
    const last = entries.at(-1);
    if (entries.length === limit && last !== undefined)
      print(`(${limit} shown; the next ones: the same command with --after ${last.seq})`);
  } finally {
    await memory.close();
  }
}
