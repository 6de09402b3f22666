import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { NativeConnection } from './native-connection.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** RSS once dropped statements are collected: their native memory is freed on a later turn of the loop. */
async function rssMb(): Promise<number> {
  gc();
  await new Promise(setImmediate);
  return process.memoryUsage().rss / 2 ** 20;
}

it('keeps the memory of its prepared statements bounded when long VALUES lists come in ever new lengths', async () => {
  const folder = tempStoreFolder();
  const connection = new NativeConnection(folder.path, { busyTimeoutMs: 1000 });
  try {
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
    // Kept by count alone, each new length stays prepared: ~50 MB more here; freed, their memory is
    // reused. RSS also moves with the rest of the process (19 MB was seen once in a full run).
    expect(grownMb).toBeLessThan(30);
    // What is kept still answers.
    expect(connection.execute('SELECT COUNT(*) AS n FROM t').rows[0]?.n).toBe((300 * 301) / 2);
  } finally {
    connection.close();
    folder.cleanup();
  }
});
