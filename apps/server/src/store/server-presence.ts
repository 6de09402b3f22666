import { join } from 'node:path';
import { announcePresence, presentProcesses } from '@episodic/core';
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

/**
 * Refuses when a live server serves `dataDir`, of this version or an older one (`oldServerMarker`);
 * markers of dead processes are removed. `does` says what the command would do under it.
 */
export function assertNotServed(dataDir: string, command: string, does = 'replaces the database file'): void {
  const [server] = [
    ...presentProcesses(servingFolder(dataDir)),
    ...presentProcesses(dataDir, undefined, oldServerMarker),
  ];
  if (server === undefined) return;
  throw new ServerError(
    'IN_USE',
    `A server (pid ${server.pid}) is using ${dataDir}: stop it before \`episodic ${command}\`, which ${does} ` +
      `(if no server runs there, remove ${server.marker}).`,
  );
}
