import { statSync } from 'node:fs';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';

/** The file's device and inode, or null when there is no file at `path`. */
function identity(path: string): string | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat === undefined ? null : `${stat.dev}:${stat.ino}`;
}

/**
 * `db` refusing every write once the file at `path` is no longer the one it opened: deleted
 * (`rm -rf data` beside a running server) or replaced. SQLite goes on writing into the file it
 * holds open, which nobody will open again: every write acknowledged after that was lost at the
 * next start, silently (measured: 10 episodes started after `rm memory.db*`, none there after a
 * reopen). Reads go on, from the file as it was. One `stat` per write transaction, ~1 µs.
 */
export function refuseWritesOnceLost(db: Database, path: string, logger: Logger | undefined): Database {
  const opened = identity(path);
  let told = false;
  const lostFile = () => {
    const now = identity(path);
    if (now === opened) return null;
    const what = now === null ? 'was deleted' : 'was replaced by another file';
    return (
      `The database file ${path} ${what} while this process had it open: nothing more is written ` +
      'to it (it would be lost when the process stops). Stop every process using it, then restore a ' +
      'backup (episodic restore) or start again on the new file.'
    );
  };
  /**
   * The refusal as a rejected promise, never a synchronous throw: callers that start a write
   * without awaiting it (a token's last-used time) handle its rejection, and a throw escaped
   * them (every request on the server then failed with 500 once the file was gone).
   */
  const refusal = (): Promise<never> | null => {
    const message = lostFile();
    if (message === null) return null;
    if (!told) logger?.warn(`episodic: ${message}`);
    told = true;
    return Promise.reject(new EpisodicError('STORAGE', message));
  };
  return {
    ...db,
    lostFile,
    write: (section) => refusal() ?? db.write(section),
    maintainAside: (statements, options) => refusal() ?? db.maintainAside(statements, options),
  };
}
