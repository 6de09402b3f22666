// A worker thread that joins the write locks it is given, opens the database and holds a write
// transaction open for `holdMs`, telling its parent when the transaction began and ended.
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/database.js';
import { joinWriteLocks } from '../db/mutex.js';

const { url, holdMs, writeLocks } = workerData as {
  url: string;
  holdMs: number;
  writeLocks: Record<string, SharedArrayBuffer>;
};
joinWriteLocks(writeLocks);
const db = await openDatabase({ url, busyTimeoutMs: 10_000, synchronous: 'normal' });
await db.write(async (tx) => {
  await tx.execute("INSERT INTO t (name) VALUES ('thread')");
  parentPort?.postMessage('holding');
  await sleep(holdMs);
});
parentPort?.postMessage('committed');
await db.close();
