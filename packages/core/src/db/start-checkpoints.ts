import { createBackgroundCheckpoints } from './background-checkpoints.js';
import type { DatabaseOptions } from './database.js';
import type { DatabaseLocation } from './database-location.js';
import type { Mutex } from './mutex.js';

/** Background checkpoints for a local file unless turned off; `null` where there is no WAL to copy. */
export function startCheckpoints(
  options: DatabaseOptions,
  location: DatabaseLocation,
  writes: Mutex,
  executeOnWriter: (sql: string) => unknown,
) {
  if (location.kind !== 'file' || location.path === undefined || options.backgroundCheckpoints === false)
    return null;
  return createBackgroundCheckpoints({
    path: location.path,
    encryptionKey: options.encryptionKey,
    logger: options.logger,
    // Between two transactions of the writer, which only the write lock guarantees.
    setAutocheckpoint: (pages) =>
      void writes
        .run(async () => executeOnWriter(`PRAGMA wal_autocheckpoint = ${pages}`))
        .catch(() => undefined),
  });
}
