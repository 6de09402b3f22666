import { resolve } from 'node:path';
import { localActor, restoreDatabase, type VerifyReport, verifyDatabase } from '@episodic/core';
import { resolveLocations } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { cacheFolder, localDatabasePath, openStore } from '../store/open-store.js';
import { assertNotServed } from '../store/server-presence.js';
import { type CommandArgs, flag } from './command-args.js';
import { note, print, printJson } from './output.js';

function counts(report: VerifyReport): string {
  const { episodes, steps, patterns, embeddings } = report.counts;
  return `${episodes} episodes, ${steps} steps, ${patterns} patterns, ${embeddings} embeddings; schema ${report.schemaVersion ?? '?'}`;
}

function fileArgument(args: CommandArgs, command: string): string {
  const file = args.positionals[0];
  // `''` (an unset variable in a script) would resolve to the current folder.
  if (file === undefined || file === '') throw new ServerError('USAGE', `${command} needs a FILE.`);
  return resolve(file);
}

/**
 * `episodic backup FILE`: a consistent snapshot of the store, taken while a server may be
 * writing to it (SQLite's `VACUUM INTO` reads one snapshot), then verified.
 */
export async function backupCommand(args: CommandArgs): Promise<void> {
  const file = fileArgument(args, 'backup');
  // The database file is all it reads: no provider, no learners, no cache (a running server's).
  const memory = await openStore(args.config, {
    existing: 'backup',
    embeddings: false,
    learning: false,
    cache: false,
  });
  let report: VerifyReport;
  try {
    report = await memory.admin.backup(file);
  } finally {
    await memory.close();
  }
  if (flag(args, 'json')) printJson({ file, ...report });
  if (!report.ok)
    throw new ServerError('FAILED', `The backup in ${file} does not verify: ${report.problems.join('; ')}`);
  if (!flag(args, 'json')) print(`Backed up to ${file} (${counts(report)}); verified.`);
}

/** `episodic verify [FILE]`: checks a backup (or, without FILE, the store's own database) without changing it. */
export async function verifyCommand(args: CommandArgs): Promise<void> {
  const file =
    args.positionals[0] === undefined
      ? localDatabasePath(args.config, 'verify')
      : resolve(args.positionals[0]);
  const report = await verifyDatabase(file, { encryptionKey: args.config.encryptionKey });
  if (flag(args, 'json')) printJson({ file, ...report });
  if (!report.ok) throw new ServerError('FAILED', `${file} has problems: ${report.problems.join('; ')}`);
  if (!flag(args, 'json')) print(`${file} is sound (${counts(report)}).`);
}

/**
 * `episodic restore FILE [--keep-old]`: verifies the backup, swaps it in for the store's database
 * (deleting the replaced file unless --keep-old), removes the cache and opens the store once, which
 * rebuilds it.
 * Refused while a server serves the data dir, or (core checks) any process has the database file open.
 */
export async function restoreCommand(args: CommandArgs): Promise<void> {
  const from = fileArgument(args, 'restore');
  const path = localDatabasePath(args.config, 'restore');
  assertNotServed(resolveLocations(args.config).dataDir, 'restore', undefined, path);
  const report = await restoreDatabase({
    path,
    from,
    encryptionKey: args.config.encryptionKey,
    cachePath: cacheFolder(args.config) ?? undefined,
    keepOld: flag(args, 'keep-old'),
  });
  // Opened once to rebuild the cache; without the embedding provider, whose vectors it need not check.
  const memory = await openStore(args.config, { embeddings: false, learning: false });
  memory.admin.recordAudit({
    actor: localActor,
    operation: 'admin',
    entityType: 'database',
    entityId: 'restore',
    outcome: 'ok',
  });
  await memory.close();
  if (flag(args, 'json')) return printJson({ file: path, ...report });
  print(`Restored ${from} into ${path} (${counts(report)}); the cache was rebuilt.`);
  const { applied, to } = report.migration;
  if (applied.length > 0) note(`Its schema was upgraded to ${to}, this version's.`);
  if (report.olderMining !== null) note(report.olderMining);
  if (report.previous !== null) note(`The database it replaced is kept at ${report.previous} (--keep-old).`);
  if (report.removedPrevious) note('The database it replaced was deleted (--keep-old keeps it).');
  const back = report.reappeared.length;
  if (back > 0)
    note(
      `${back} episode${back === 1 ? '' : 's'} forgotten in the database it replaced ${back === 1 ? 'is' : 'are'} back: ` +
        'the backup was taken before they were forgotten (the deletions are in `episodic audit --operation delete`). ' +
        `If the deletion must stand, forget them again: episodic forget --episode ${report.reappeared.join(' --episode ')}`,
    );
}
