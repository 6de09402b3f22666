import type { Database } from '../db/database.js';
import type { MigrationReport } from '../migrations/migrate.js';
import { compareVersions } from '../migrations/migration.js';

/**
 * The first schema version whose built-in miners learn what today's do. The error-resolution
 * miner's signatures changed while stores were at 1.22.0 (one per kind for identifier errors,
 * addresses, pip requirements): a pattern mined before holds the old signature, and the same error
 * mined now goes to a second pattern beside it, the evidence split in two (audit s42: support 10
 * on the old, 3 on the new, the old ranked first by `relevant`).
 */
export const minedAsTodaySince = '1.23.0';

/**
 * What to tell the operator of a store just brought from a schema before `minedAsTodaySince` that
 * holds mined patterns: they are of older miners, and how to rebuild them; `null` when there is
 * nothing to tell. Said once, by the open (or restore) that upgrades the store: nothing else would
 * (what a process learns is recorded with its miners only since 1.25.0). A remine is not started
 * here: it reads every episode, and when is the operator's to choose.
 */
export async function olderMiningNotice(db: Database, migration: MigrationReport): Promise<string | null> {
  if (migration.from === null || compareVersions(migration.from, minedAsTodaySince) >= 0) return null;
  const mined = await db.read('SELECT count(*) AS n FROM patterns WHERE support IS NOT NULL');
  const count = Number(mined.rows[0]?.n ?? 0);
  if (count === 0) return null;
  return (
    `episodic: this store was at schema ${migration.from}, before ${minedAsTodaySince}: its ${count} mined patterns hold ` +
    "what that version's miners learned (the error-resolution miner's signatures have changed since), and " +
    'episodes mined now go to patterns of their own beside them. `episodic remine` (memory.admin.remine()) ' +
    'mines every episode again with the miners of this version.'
  );
}
