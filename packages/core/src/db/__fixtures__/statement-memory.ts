/**
 * The prepared-statement memory workload, alone in a process of its own: in a test worker, RSS also
 * moves with the test runner (43 MB once, with two suites on 2 cores), which hid what is measured.
 *   argv: <folder>   prints: { grownMb, rows }   run with --expose-gc
 */
import { NativeConnection } from '../native-connection.js';

const folder = process.argv[2];
const gc = (globalThis as { gc?: () => void }).gc;
if (folder === undefined || gc === undefined)
  throw new Error('usage: node --expose-gc --import tsx statement-memory.ts <folder>');

/** RSS once dropped statements are collected: their native memory is freed on a later turn of the loop. */
async function rssMb(): Promise<number> {
  gc?.();
  await new Promise(setImmediate);
  return process.memoryUsage().rss / 2 ** 20;
}

const connection = new NativeConnection(folder, { busyTimeoutMs: 1000 });
const columns = Array.from({ length: 15 }, (_, i) => `c${i}`);
connection.executeMultiple(`CREATE TABLE t (${columns.join(', ')})`);
const row = `(${columns.map(() => '?').join(', ')})`;
const insert = async (rows: number) => {
  connection.execute({
    sql: `INSERT INTO t VALUES ${Array(rows).fill(row).join(', ')}`,
    args: Array(rows * 15).fill(1),
  });
  // A server turns its event loop between batches.
  await new Promise(setImmediate);
};
// As the miners write: one INSERT per batch, each batch a few rows more or less than the last.
for (let rows = 1; rows <= 150; rows += 1) await insert(rows);
const warm = await rssMb();
for (let rows = 151; rows <= 300; rows += 1) await insert(rows);
const grownMb = (await rssMb()) - warm;
const rows = connection.execute('SELECT COUNT(*) AS n FROM t').rows[0]?.n;
connection.close();
process.stdout.write(JSON.stringify({ grownMb, rows: Number(rows) }));
