import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerError } from '../errors/server-error.js';

const marker = /^serve-(\d+)\.pid$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks the data dir as served by this process until the returned function is called. Restore
 * and rekey replace the database file: a server still holding the old one would go on writing
 * to it, so they refuse while a marker names a live process.
 */
export function announceServing(dataDir: string): () => void {
  const file = join(dataDir, `serve-${process.pid}.pid`);
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** Refuses when a live server serves `dataDir`; markers of dead processes are removed. */
export function assertNotServed(dataDir: string, command: string): void {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(marker.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === 0) continue;
    if (!alive(pid)) rmSync(join(dataDir, name), { force: true });
    else {
      throw new ServerError(
        'IN_USE',
        `A server (pid ${pid}) is using ${dataDir}: stop it before \`episodic ${command}\`, which replaces the database file ` +
          `(if no server runs there, remove ${join(dataDir, name)}).`,
      );
    }
  }
}
