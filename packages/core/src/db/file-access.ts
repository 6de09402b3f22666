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
  for (const suffix of companions) {
    const file = `${path}${suffix}`;
    try {
      accessSync(file, mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') return null;
      if (code === 'EROFS') return `${file} is on a read-only file system`;
      const stat = statSync(file);
      const uid = process.getuid?.();
      const self = uid === undefined ? 'this process' : `this process (uid ${uid})`;
      const bits = (stat.mode & 0o777).toString(8).padStart(4, '0');
      return `${file} cannot be ${use === 'read' ? 'read' : 'read and written'} by ${self}: it belongs to uid ${stat.uid}, mode ${bits}. Give it to the user that runs Episodic (chown, chmod), or run Episodic as that user`;
    }
  }
  return null;
}
