import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../db/process-alive.js';
import type { Logger } from '../logger.js';
import { removeDatabaseFile } from './swap-database-file.js';

/**
 * A backup is written under a staging name beside its destination and linked to it once whole,
 * verified and audited, so that a backup killed part-way (SIGKILL, Ctrl-C: `VACUUM INTO` holds
 * the thread, no handler runs) never leaves a file under the name an operator takes for a backup,
 * which also blocked the next try ("a backup never overwrites a file") and, never audited, was not
 * among the copies `forget` names. Its staging file holds what the store held: each run records it
 * in a marker beside the database (`<database>.backing-up/<pid>-<hex>.json`), so that the next
 * backup or forget of that store deletes what a killed run left.
 */
export interface BackupStaging {
  /** Where `VACUUM INTO` writes: `<destination>.partial-<pid>-<hex>`. */
  staging: string;
  /** The run ended (its staging file linked into place, or removed): its marker goes. */
  done(): void;
}

const markers = (database: string) => `${database}.backing-up`;
const markerName = /^(\d+)-[0-9a-f]{8}\.json$/;

export function stageBackup(database: string, destination: string): BackupStaging {
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = `${destination}.partial-${id}`;
  mkdirSync(markers(database), { recursive: true, mode: 0o700 });
  const marker = join(markers(database), `${id}.json`);
  // The path holds no content: a backup's destination is audited all the same.
  writeFileSync(marker, `${JSON.stringify({ staging })}\n`, { mode: 0o600 });
  return {
    staging,
    done: () => {
      rmSync(marker, { force: true });
      // The folder goes with its last marker (another run's keeps it: ENOTEMPTY).
      try {
        rmdirSync(markers(database));
      } catch (error) {
        const { code } = error as NodeJS.ErrnoException;
        if (code !== 'ENOTEMPTY' && code !== 'ENOENT') throw error;
      }
    },
  };
}

/**
 * Deletes the staging files of backups of `database` whose process is gone (killed before it
 * finished or cleaned up), and their markers, and tells `logger` of each file deleted.
 */
export function removeInterruptedBackups(database: string, logger: Logger): void {
  let names: string[];
  try {
    names = readdirSync(markers(database));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(markerName.exec(name)?.[1]);
    if (!Number.isInteger(pid) || processAlive(pid)) continue;
    const marker = join(markers(database), name);
    let staging: string | undefined;
    try {
      ({ staging } = JSON.parse(readFileSync(marker, 'utf8')) as { staging: string });
    } catch {
      // Killed while writing the marker: before anything was staged.
    }
    if (staging !== undefined && existsSync(staging)) {
      // Killed after linking it into place, the staging name is a second name of the finished backup.
      removeDatabaseFile(staging);
      logger.warn(`Removed ${staging}: the partial copy of a backup that was stopped before it finished.`);
    }
    rmSync(marker, { force: true });
  }
}
