import { databasePresenceFolder, presentProcesses } from '../db/presence.js';
import type { Logger } from '../logger.js';
import type { MigrationReport } from './migrate.js';

/**
 * Says when this open migrated a database file that other live processes have open (their markers
 * in `databasePresenceFolder`, left before this process announces its own): they opened it at the
 * older schema, and a process checks the schema only as it opens, so they go on serving and writing
 * without a word, leaving the new columns empty (audit s42: an old server's `/healthz` then
 * reported the new schema). Processes of versions before schema 1.20.0 leave no such marker.
 */
export function warnOfMigrationUnderOthers(path: string, migration: MigrationReport, logger: Logger): void {
  if (migration.from === null || migration.applied.length === 0) return;
  const pids = [
    ...new Set(
      presentProcesses(databasePresenceFolder(path))
        .map(({ pid }) => pid)
        .filter((pid) => pid !== process.pid),
    ),
  ];
  if (pids.length === 0) return;
  logger.warn(
    `episodic: brought ${path} from schema ${migration.from} to ${migration.to} while ${pids.length === 1 ? 'another process has' : `${pids.length} other processes have`} ` +
      `it open (pid ${pids.join(', ')}), opened at the older schema: a process checks it only as it opens, so ` +
      'they go on with the older version, writing rows without what this one adds. Stop them and start them ' +
      'with this version.',
  );
}
