import type { InStatement } from '@libsql/client';
import type { Database } from '../db/database.js';
import { createReadWorker } from '../db/read-worker.js';

/**
 * `db` (a local file) whose reads aside are answered by a read worker that has started, for tests
 * of what a retrieve reads aside in a large store (`Database.readAside` answers inline until its
 * own worker is up, so a test could not tell which connection answered).
 */
export async function onStartedWorker(
  db: Database,
): Promise<{ db: Database; sent: () => number; stop: () => Promise<void> }> {
  const path = db.location.path;
  if (path === undefined) throw new Error('reads aside need a local file');
  const worker = createReadWorker({ path, busyTimeoutMs: 5_000 });
  await worker.read('SELECT 1', db.read);
  if (!(await worker.started())) throw new Error('the read worker did not start');
  let sent = 0;
  const readAside = (statement: InStatement) => {
    sent += 1;
    return worker.read(statement, db.read);
  };
  return { db: { ...db, readAside }, sent: () => sent, stop: () => worker.stop() };
}
