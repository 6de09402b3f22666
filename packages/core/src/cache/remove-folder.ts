import { randomBytes } from 'node:crypto';
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * How long a removed folder stays, emptied, before it is deleted itself. A process that pinned the
 * folder just before it was renamed away may be opening an environment in it: with the folder
 * gone, LMDB's open fails with ENOENT, and lmdb-js 3.5 frees its environment twice on that failure
 * (`EnvWrap::openEnv`): the process died of SIGSEGV (2 runs in 73 of four processes purging at
 * once). An open takes milliseconds; a minute leaves room for a machine under any load.
 */
export const emptiedFolderLifetimeMs = 60_000;

/**
 * Deletes a folder that other processes may be opening: it is renamed away first, so they find
 * either the whole folder or none, never one half deleted; its files are deleted at once (what it
 * cached is gone), the emptied folder itself once `emptiedFolderLifetimeMs` has passed, by a
 * later removal in the same parent.
 */
export function removeFolder(path: string): void {
  const doomed = `${path}.old-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  emptyFolder(doomed);
  removeEmptiedFolders(dirname(path));
}

/** The names in `folder`; none when it is gone (another process removed it first). */
function entriesOf(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Deletes everything in `folder` but the folder itself. */
export function emptyFolder(folder: string): void {
  for (const entry of entriesOf(folder))
    rmSync(join(folder, entry), { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/**
 * Deletes the removed folders of `root` (`<name>.old-<id>`) untouched for `emptiedFolderLifetimeMs`:
 * what a process opening one just then created in it is deleted with it.
 */
function removeEmptiedFolders(root: string): void {
  for (const entry of entriesOf(root)) {
    if (!/\.old-[0-9a-f]+$/.test(entry)) continue;
    const folder = join(root, entry);
    const modified = statSync(folder, { throwIfNoEntry: false })?.mtimeMs;
    if (modified !== undefined && Date.now() - modified > emptiedFolderLifetimeMs)
      rmSync(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }
}

/** The name `removeFolder` gives `path` once removed, without its id. */
export const removedPrefix = (path: string): string => `${basename(path)}.old-`;
