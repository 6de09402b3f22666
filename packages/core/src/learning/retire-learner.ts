import { z } from 'zod';
import { localActor } from '../audit/audit-event.js';
import type { EngineContext } from '../engine-context.js';
import { EpisodicError } from '../errors.js';
import { nowIso } from '../schemas/timestamp.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';

export const learningRetireInputSchema = z.strictObject({
  /** The learner's queue name, as `learning.status()` lists it (`embeddings`, `mining`, a plugin's). */
  learner: z.string().min(1).max(200),
});
export type RetireInput = z.input<typeof learningRetireInputSchema>;

/** What `learning.retire()` removed. */
export interface RetiredLearner {
  learner: string;
  /** Queue rows it still had to learn, deleted. */
  pending: number;
  /** Its failed rows, deleted. */
  failed: number;
  /**
   * Whether it was registered on the store (so every completion queued a row for it). `false`: its
   * rows came only from a process that has it configured without running it.
   */
  registered: boolean;
}

/**
 * Retires a learner no process runs any more (an embedder or miner removed from the configuration,
 * a plugin's learner renamed): deletes its registration and every queue row it has, pending and
 * failed, in one transaction, so completions stop queueing work for it. Without this a registered
 * learner gets a row per finished episode for ever. Refused (`CONFLICT`) while this configuration
 * has it, or some process's claim to run it has not run out: checked inside the transaction, so a
 * process that claims it meanwhile waits for the write lock and registers it again afterwards.
 * `NOT_FOUND` when the store knows no learner of that name. Audited as `admin` on `learner`.
 */
export async function retireLearner(
  context: EngineContext,
  input: { learner: string; configured: readonly string[] },
  options: CallOptions = {},
): Promise<RetiredLearner> {
  const event = {
    actor: options.actor ?? localActor,
    operation: 'admin',
    entityType: 'learner',
    entityId: typeof input.learner === 'string' ? input.learner.slice(0, 200) : null,
  } as const;
  try {
    const { learner } = parseInput(learningRetireInputSchema, { learner: input.learner }, 'learner');
    // This process's own completions queue rows for the learners it is configured with.
    if (input.configured.includes(learner))
      throw new EpisodicError(
        'CONFLICT',
        `Learner "${learner}" is configured in this process, which queues work for it on every completion: ` +
          'remove it from the configuration (embeddings, miners) first, then retire it.',
      );
    const retired = await context.db.write(async (tx) => {
      const claim = await tx.execute({
        sql: 'SELECT MAX(alive_until) AS until FROM learner_processes WHERE learner = ? AND alive_until >= ?',
        args: [learner, nowIso()],
      });
      const until = claim.rows[0]?.until;
      if (until !== null && until !== undefined)
        throw new EpisodicError(
          'CONFLICT',
          `Learner "${learner}" is run by a process on this store now (its claim lasts until ${String(until)}): ` +
            'stop that process, or remove the learner from its configuration and restart it, then retire it. ' +
            "A killed process's claim runs out after its learning.leaseMs.",
        );
      const rows = await tx.execute({
        sql: `SELECT COALESCE(SUM(failed_at IS NULL), 0) AS pending, COALESCE(SUM(failed_at IS NOT NULL), 0) AS failed
              FROM learning_queue WHERE learner = ?`,
        args: [learner],
      });
      const [, , registration] = await tx.batch([
        { sql: 'DELETE FROM learning_queue WHERE learner = ?', args: [learner] },
        { sql: 'DELETE FROM learner_processes WHERE learner = ?', args: [learner] },
        { sql: 'DELETE FROM learners WHERE name = ?', args: [learner] },
      ]);
      const result: RetiredLearner = {
        learner,
        pending: Number(rows.rows[0]?.pending ?? 0),
        failed: Number(rows.rows[0]?.failed ?? 0),
        registered: (registration?.rowsAffected ?? 0) > 0,
      };
      if (!result.registered && result.pending + result.failed === 0)
        throw new EpisodicError(
          'NOT_FOUND',
          `No learner "${learner}" is registered on this store or has queued rows (learning.status() lists them).`,
        );
      return result;
    });
    context.audit.record({ ...event, outcome: 'ok' });
    return retired;
  } catch (error) {
    context.audit.record({ ...event, outcome: 'error' });
    throw error;
  } finally {
    // Written now, as backups and repairs are: the log should not lose who retired what.
    await context.audit.flush();
  }
}
