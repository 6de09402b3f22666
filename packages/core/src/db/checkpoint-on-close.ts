/**
 * Copies a local file's WAL into the database file and empties it, as a store closes.
 *
 * SQLite does this itself when the last connection to a file closes, but libSQL's Node driver
 * closes a connection for real only once its prepared statements are garbage-collected, which a
 * process may never get to before it exits: a store closed cleanly, its process gone, left a
 * 4 KiB `memory.db` beside a 4.4 MB WAL holding every episode, and a copy of `memory.db` alone (a
 * user moving their store) held none. A connection opened later with the wrong key, closing
 * last, was then the one to copy that WAL in.
 *
 * It never waits on another process, nor holds one up: the copy is a PASSIVE checkpoint, which
 * takes no lock a writer needs; only then, with the busy timeout at 0, does TRUNCATE take the
 * write lock for what is left (nothing, unless frames arrived meanwhile) and empty the WAL, or
 * give up at once while another process writes or reads from the WAL (its own checkpoints finish
 * the job). A failure is not the close's to report either: the WAL still holds every commit and
 * the next open reads it.
 */
export async function checkpointOnClose(execute: (sql: string) => unknown): Promise<void> {
  try {
    await execute('PRAGMA busy_timeout = 0');
    await execute('PRAGMA wal_checkpoint(PASSIVE)');
    await execute('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch {
    // Nothing is lost: see above.
  }
}
