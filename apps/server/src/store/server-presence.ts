import { join } from 'node:path';
import { announcePresence, databasePresenceFolder, nameProcesses, presentProcesses } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';

/**
 * Where a server marks its data dir. The database file is marked by core for every process that
 * opens it (wherever its data dir); this marker also covers what else in the data dir a restore or
 * rekey replaces under a server, such as the cache folder.
 */
function servingFolder(dataDir: string): string {
  return join(dataDir, 'serving');
}

/** Marks the data dir as served by this process until the returned function is called. */
export function announceServing(dataDir: string): () => void {
  return announcePresence(servingFolder(dataDir)).leave;
}

/**
 * How servers before 594637e (schema 1.19.0 and older) marked their data dir: `serve-<pid>.pid` in
 * it. One still running after an upgrade (the package updated, the process not yet restarted) goes
 * on writing to the file it holds: a restore or rekey that swapped the file under it lost every
 * write it accepted after (audit s42: 3 of 3, while it answered 200).
 */
const oldServerMarker = /^serve-(\d+)\.pid$/;

/** The live servers of versions before schema 1.20.0 serving `dataDir` (`oldServerMarker`). */
export function olderServers(dataDir: string): number[] {
  return presentProcesses(dataDir, undefined, oldServerMarker).map(({ pid }) => pid);
}

/**
 * Refuses when a live server serves `dataDir`, of this version or an older one (`oldServerMarker`);
 * markers of dead processes are removed. `does` says what the command would do under it. With the
 * local `databasePath`, the refusal also names every other process that has that file open (a
 * worker, a script), so that one stop of them all is enough, not one refusal per process.
 */
export function assertNotServed(
  dataDir: string,
  command: string,
  does = 'replaces the database file',
  databasePath?: string,
): void {
  const [server] = [
    ...presentProcesses(servingFolder(dataDir)),
    ...presentProcesses(dataDir, undefined, oldServerMarker),
  ];
  if (server === undefined) return;
  const others =
    databasePath === undefined
      ? []
      : [...new Set(presentProcesses(databasePresenceFolder(databasePath)).map(({ pid }) => pid))].filter(
          (pid) => pid !== server.pid,
        );
  throw new ServerError(
    'IN_USE',
    `A server (pid ${server.pid}) is using ${dataDir}: stop it before \`episodic ${command}\`, which ${does} ` +
      `(if no server runs there, remove ${server.marker}).` +
      (others.length === 0
        ? ''
        : ` Stop these too, which have ${databasePath} open: ${nameProcesses(others)}.`),
  );
}
