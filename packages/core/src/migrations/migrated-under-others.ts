import { databasePresenceFolder, presentProcesses } from '../db/presence.js';
import type { Logger } from '../logger.js';
import type { MigrationReport } from './migrate.js';

/**
 * The live processes that have the database file at `path` open (their markers in
 * `databasePresenceFolder`), but this one: taken before this process migrates the file, they are
 * the ones that opened it at the schema it had. Taken after, they also named processes that opened
 * it once the migration had committed (a worker started with the server), at the new schema.
 */
export function othersWithFileOpen(path: string): number[] {
  const pids = presentProcesses(databasePresenceFolder(path)).map(({ pid }) => pid);
  return [...new Set(pids)].filter((pid) => pid !== process.pid);
}

/**
 * Says when this open migrated a database file that other live processes had open before it
 * began (`before`, from `othersWithFileOpen`): they opened it at the older schema, and a process
 * checks the schema only as it opens, so they go on serving and writing without a word, leaving
 * the new columns empty (audit s42: an old server's `/healthz` then reported the new schema).
 * Processes of versions before schema 1.20.0 leave no such marker.
 */
export function warnOfMigrationUnderOthers(
  path: string,
  migration: MigrationReport,
  before: readonly number[],
  logger: Logger,
): void {
  if (migration.from === null || migration.applied.length === 0) return;
  // Still running: one that closed meanwhile no longer writes with the older schema.
  const pids = othersWithFileOpen(path).filter((pid) => before.includes(pid));
  if (pids.length === 0) return;
  logger.warn(
    `episodic: brought ${path} from schema ${migration.from} to ${migration.to} while ${pids.length === 1 ? 'another process has' : `${pids.length} other processes have`} ` +
      `it open (pid ${pids.join(', ')}), opened at the older schema: a process checks it only as it opens, so ` +
      'they go on with the older version, writing rows without what this one adds. Stop them and start them ' +
      'with this version.',
  );
}
