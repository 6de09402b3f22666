import { type ForgetSelector, localActor } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { openStore } from '../store/open-store.js';
import { parseTime } from './audit-command.js';
import { type CommandArgs, flag, listOption, stringOption } from './command-args.js';
import { note, print, printJson } from './output.js';

type Scalar = string | number | boolean | null;

/** `VALUE` as JSON when it is a number, `true`, `false`, `null` or a quoted string; else as it is. */
function scalar(text: string): Scalar {
  try {
    const value: unknown = JSON.parse(text);
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    )
      return value;
  } catch {
    // not JSON: plain text
  }
  return text;
}

function metadataMatch(pairs: string[]): Record<string, Scalar> {
  // No prototype: a key named `__proto__` is a key like any other.
  const match: Record<string, Scalar> = Object.create(null);
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new ServerError('USAGE', `--metadata ${pair}: expected KEY=VALUE.`);
    match[pair.slice(0, at)] = scalar(pair.slice(at + 1));
  }
  return match;
}

function selector(args: CommandArgs): ForgetSelector {
  const episodeIds = listOption(args, 'episode');
  const domain = stringOption(args, 'domain');
  const metadata = listOption(args, 'metadata');
  const given = [episodeIds.length > 0, domain !== undefined, metadata.length > 0].filter(Boolean).length;
  if (given !== 1)
    throw new ServerError(
      'USAGE',
      'forget needs exactly one of --episode ID (repeatable), --domain D or --metadata KEY=VALUE (repeatable).',
    );
  // Ignored, `--before` would let a `--metadata` or `--episode` forget delete the newer episodes too.
  if (domain === undefined && stringOption(args, 'before') !== undefined)
    throw new ServerError('USAGE', 'forget --before applies only with --domain D.');
  if (episodeIds.length > 0) return { episodeIds };
  if (domain !== undefined)
    return { domain, createdBefore: parseTime(stringOption(args, 'before'), 'before') };
  return { metadata: metadataMatch(metadata) };
}

/**
 * `episodic forget (--episode ID [--episode ID]... | --domain D [--before TIME] | --metadata K=V...)`: deletion
 * on request. Removes the episodes with their steps, vectors, links and cached copies, recomputes
 * the patterns they supported, and audits each deletion without its content.
 */
export async function forgetCommand(args: CommandArgs): Promise<void> {
  const chosen = selector(args);
  const memory = await openStore(args.config, { existing: 'forget', embeddings: false, learning: false });
  try {
    // A command run exits right after: it waits for the purge, so the bytes are gone when it says so.
    const report = await memory.admin.forget(chosen, { actor: localActor, purge: 'wait' });
    // Ids the store does not hold: already forgotten, mistyped, or in another store (another
    // server's --database-url). "Forgot 0 episodes" alone read as done.
    const forgotten = new Set(report.episodeIds);
    const notFound =
      'episodeIds' in chosen ? chosen.episodeIds.filter((id) => !forgotten.has(id.toLowerCase())) : [];
    if (flag(args, 'json')) return printJson({ ...report, notFound });
    if (notFound.length > 0)
      note(`Not in this store (already forgotten, mistyped, or in another store): ${notFound.join(', ')}`);
    print(
      `Forgot ${report.episodeIds.length} episodes` +
        (report.domains.length > 0 ? ` in ${report.domains.join(', ')}` : '') +
        `; ${report.patternsRemoved} patterns lost their last evidence and were removed.`,
    );
    print(
      report.purge === 'done'
        ? 'Purged: none of their text is left in the database file or its WAL.'
        : 'Purge pending (readers kept the WAL busy): it runs again at the next forget or open (`admin.stats` shows it).',
    );
    if (report.unreachedCopies.length > 0)
      note(
        `Not reached (whole copies of the store; delete them, or forget in them too): ${report.unreachedCopies.join(', ')}`,
      );
  } finally {
    await memory.close();
  }
}
