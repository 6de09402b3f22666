/**
 * Writes `src/migrations/__fixtures__/memory-1.0.0.db`: a database made by the 1.0.0 migration
 * alone, with rows written the way a 1.0.0-era writer did (seed-style CURRENT_TIMESTAMP text).
 * The file is committed; this script documents how it was made. Do not regenerate it after
 * 1.0.0 changes -- it must stay a real old database.
 *
 *   pnpm --filter @episodic/core exec tsx scripts/make-v1-0-0-fixture.ts
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/migrations/migrate.js';
import { v1_0_0 } from '../src/migrations/v1-0-0.js';

const path = fileURLToPath(new URL('../src/migrations/__fixtures__/memory-1.0.0.db', import.meta.url));
rmSync(path, { force: true });
const db = await openDatabase({ url: ':memory:', busyTimeoutMs: 1000, synchronous: 'full' });
await migrate(db, [v1_0_0]);
await db.write(async (tx) => {
  for (let e = 1; e <= 3; e += 1) {
    const id = `00000000-0000-4000-8000-00000000000${e}`;
    await tx.execute({
      sql: `INSERT INTO episodes (id, task_type, domain, context, status, success_rate, completed_at, metadata)
            VALUES (?, 'debugging', 'legacy', ?, 'completed', 1.0, '2025-01-0${e} 10:00:00', '{"era":"1.0.0"}')`,
      args: [id, `legacy episode ${e}: flaky checkout test`],
    });
    for (let s = 1; s <= 2; s += 1) {
      await tx.execute({
        sql: `INSERT INTO steps (id, episode_id, step_number, action, result, duration_ms, success)
              VALUES (?, ?, ?, ?, ?, 10, ?)`,
        args: [
          `00000000-0000-4000-9000-0000000000${e}${s}`,
          id,
          s,
          `run_tests ${s}`,
          `TimeoutError in checkout.spec ${e}`,
          s === 2 ? 1 : 0,
        ],
      });
    }
  }
  await tx.execute(`INSERT INTO patterns (id, pattern_type, pattern_data, success_rate, usage_count)
                    VALUES ('legacy-pattern', 'tool_sequence', '{"actions":["run_tests","edit"]}', 0.75, 2)`);
});
// VACUUM INTO writes one self-contained file in rollback-journal mode: no -wal or -shm beside it.
await db.executeOutsideTransaction({ sql: 'VACUUM INTO ?', args: [path] });
await db.close();
console.log(`wrote ${path}`);
