import { randomBytes } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';

/**
 * Deletes a folder that other processes may be opening: it is renamed away first, so they find
 * either the whole folder or none, never one half deleted (rmSync alone fails with ENOTEMPTY when
 * a process creates a file in it meanwhile, and a process opening it finds its files gone).
 */
export function removeFolder(path: string): void {
  const doomed = `${path}.old-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // A process that opened the folder just before the rename may still create a file in it
  // (LMDB creates a lock or data file it finds gone): the emptying is tried again.
  rmSync(doomed, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}
