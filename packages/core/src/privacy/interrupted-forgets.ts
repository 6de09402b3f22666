import type { EngineContext } from '../engine-context.js';
import { claimInterruptedForgets, type ForgetJournal } from './forget-journal.js';
import type { FtsPurge } from './fts-purge.js';

/** How many of the episodes a killed forget left in the store its message names by id. */
const namedIds = 10;

/** The selected episodes still in the store, in the order the forget would have deleted them. */
async function stillThere(context: EngineContext, journal: ForgetJournal): Promise<string[]> {
  const rows = await context.db.read({
    sql: `SELECT value AS id FROM json_each(?)
          WHERE EXISTS (SELECT 1 FROM episodes WHERE episodes.id = value) ORDER BY key`,
    args: [JSON.stringify(journal.episodeIds)],
  });
  return rows.rows.map((row) => String(row.id));
}

function settlementMessage(journal: ForgetJournal, left: readonly string[], purged: boolean): string {
  const total = journal.episodeIds.length;
  const gone = total - left.length;
  const by = `started ${journal.startedAt}, actor ${journal.actor}, pid ${journal.pid}`;
  const what =
    journal.origin === 'retention'
      ? `Found a retention pass deleting ${total} episodes (${by}) that was stopped before it finished`
      : `Found a forget of ${total} episodes (${by}) that was stopped before it finished`;
  const text = purged
    ? "their text now purged from the store's files"
    : "their text not yet purged from the store's files (retried at the next forget or open)";
  if (left.length === 0) return `${what}, and finished it: all ${total} are gone, ${text}.`;
  const named = left.slice(0, namedIds).join(', ');
  const more = left.length > namedIds ? ` and ${left.length - namedIds} more` : '';
  const done = gone === 0 ? 'none of them is gone' : `${gone} of them are gone, ${text}`;
  // Retention's next pass selects them again by itself; a forget's owner has to ask again.
  const next =
    journal.origin === 'retention'
      ? "the next retention pass deletes them (they are still past their domain's deleteAfterDays"
      : 'forget them again (the same selection does it';
  return `${what}: ${done}; ${left.length} are still in the store: ${next}; their ids: ${named}${more}).`;
}

/**
 * Settles, as a local store opens, the forgets killed part-way (`forget-journal.ts`): their purge
 * runs to its end first, then each is told once through `logger` (no content: counts, ids, actor)
 * and its end audited (`delete` of entity `forget`, id its start time; `error` while some are left).
 */
export async function settleInterruptedForgets(context: EngineContext, purge: FtsPurge): Promise<void> {
  const { db, audit, config } = context;
  const path = db.location.kind === 'file' ? db.location.path : undefined;
  const claimed = path === undefined ? [] : claimInterruptedForgets(path);
  if (claimed.length === 0) return;
  try {
    const purged = (await purge.settle()).pendingSince === null;
    const settled: string[] = [];
    for (const { journal } of claimed) {
      if (journal === null) continue;
      const left = await stillThere(context, journal);
      audit.record({
        actor: journal.actor,
        operation: 'delete',
        entityType: 'forget',
        entityId: journal.startedAt,
        outcome: left.length === 0 ? 'ok' : 'error',
      });
      settled.push(settlementMessage(journal, left, purged));
    }
    await audit.flush();
    for (const message of settled) config.logger.warn(message);
    for (const { release } of claimed) release();
  } catch (error) {
    // Claimed by this process: the first open after it ends tries again.
    config.logger.warn(
      `episodic: could not settle a forget that was stopped part-way: ${(error as Error).message}`,
    );
  }
}
