import { accessSync, constants, statSync } from 'node:fs';

/** What SQLite opens beside a database file: its WAL and its shared memory. */
const companions = ['', '-wal', '-shm'] as const;

/**
 * Why this process cannot use `path` (and the WAL and shared-memory files beside it, those that
 * exist) for `use`, naming the file's owner and mode; `null` when it can. An operator needs the
 * owner: a `restore` run as root leaves root's file, and the service's user then met a bare
 * "Unable to open connection …: 14". A file it may read but not write is refused too: SQLite
 * opens it read-only without a word, and every write failed while the server's health said ok.
 */
export function fileAccessProblem(path: string, use: 'read' | 'read and write'): string | null {
  const mode = use === 'read' ? constants.R_OK : constants.R_OK | constants.W_OK;
  // SQLite says only "Unable to open connection …: 14" of a folder.
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true)
    return `${path} is a folder: give the path of the database file (e.g. ${path}/memory.db)`;
  for (const suffix of companions) {
    const file = `${path}${suffix}`;
    try {
      accessSync(file, mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') return null;
      if (code === 'EROFS') return `${file} is on a read-only file system`;
      return `${file} cannot be ${use === 'read' ? 'read' : 'read and written'} by ${ownership(file)}`;
    }
  }
  return null;
}

/** Why this process cannot create files in `folder` (a backup's), naming its owner; `null` when it can. */
export function folderAccessProblem(folder: string): string | null {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${folder} is on a read-only file system`;
    return code === 'EACCES' || code === 'EPERM'
      ? `${folder} cannot be written by ${ownership(folder)}`
      : null;
  }
}

/** "this process (uid 65534): it belongs to uid 0, mode 0600. Give it to …": what an operator needs. */
function ownership(path: string): string {
  const stat = statSync(path);
  const uid = process.getuid?.();
  const self = uid === undefined ? 'this process' : `this process (uid ${uid})`;
  const bits = (stat.mode & 0o777).toString(8).padStart(4, '0');
  return `${self}: it belongs to uid ${stat.uid}, mode ${bits}. Give it to the user that runs Episodic (chown, chmod), or run Episodic as that user`;
}
