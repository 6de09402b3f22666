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

/** Refuses when a live server serves `dataDir`; markers of dead processes are removed. */
export function assertNotServed(dataDir: string, command: string): void {
  const [server] = presentProcesses(servingFolder(dataDir));
  if (server === undefined) return;
  throw new ServerError(
    'IN_USE',
    `A server (pid ${server.pid}) is using ${dataDir}: stop it before \`episodic ${command}\`, which replaces the database file ` +
      `(if no server runs there, remove ${server.marker}).`,
  );
}
