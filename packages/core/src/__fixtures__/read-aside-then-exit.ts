/**
 * Child process for the read-worker test: reads on a started read worker, and then has nothing
 * left to do, without stopping it. The worker must keep the process alive until it has answered,
 * and not after.
 */
import { openDatabase } from '../db/database.js';
import { createReadWorker } from '../db/read-worker.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: read-aside-then-exit <path>');
const db = await openDatabase({ url: `file:${path}`, busyTimeoutMs: 5_000, synchronous: 'normal' });
const worker = createReadWorker({ path, busyTimeoutMs: 5_000 });
const inline = await worker.read('SELECT 1 AS n', db.read);
if (!(await worker.started())) throw new Error('the read worker did not start');
const answer = await worker.read('SELECT 6 * 7 AS n', db.read);
process.stdout.write(`read ${String(inline.rows[0]?.n)} ${String(answer.rows[0]?.n)}\n`);
