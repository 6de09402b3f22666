import { existsSync, renameSync } from 'node:fs';

/**
 * Moves `replacement` into place at `path`, keeping the file it replaces (with its WAL and
 * shared-memory files, which belong to it: left beside the new file, SQLite would replay them
 * into it) as `<path>.<reason>-<time>`. Returns where the old file went, or `null`.
 */
export function swapDatabaseFile(path: string, replacement: string, reason: string): string | null {
  let previous: string | null = null;
  if (existsSync(path)) {
    previous = `${path}.${reason}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['-wal', '-shm', '']) {
      if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${previous}${suffix}`);
    }
  }
  renameSync(replacement, path);
  return previous;
}
