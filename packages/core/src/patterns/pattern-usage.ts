import { z } from 'zod';
import { localActor } from '../audit/audit-event.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { EpisodicError } from '../errors.js';
import type { PatternChanges } from '../mining/pattern-changes.js';
import { nowIso } from '../schemas/timestamp.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import { type MinedPattern, patternIdSchema } from './pattern-row.js';
import { recountUsage } from './recount-usage.js';

function usageSchema(episodeId: z.ZodType<string>) {
  return z.strictObject({
    /** The episode in which an agent used the pattern. */
    episodeId,
    /** Whether using it helped that episode. */
    helped: z.boolean(),
  });
}
export type RecordPatternUsageInput = z.input<ReturnType<typeof usageSchema>>;

export function createPatternUsage(context: EngineContext, changes: PatternChanges) {
  const { db } = context;
  const schema = usageSchema(context.schemas.id);

  return {
    /**
     * Records that an agent used a pattern in an episode, and whether it helped. Each episode
     * counts once per pattern (recording again replaces its verdict), so retries do not inflate
     * `usageCount`. Updates `usage_count`, `last_used`, the helped count and the ranking score.
     * Both the pattern and the episode must be in the caller's scope (else `NOT_FOUND`).
     */
    async recordPatternUsage(
      patternId: string,
      input: RecordPatternUsageInput,
      options: CallOptions = {},
    ): Promise<MinedPattern> {
      const id = parseInput(patternIdSchema, patternId, 'pattern id', 'patternId');
      const usage = parseInput(schema, input, 'pattern usage');
      const updated = await db.write(async (tx) => {
        const patternFilter = new SqlFilter().when('id = ?', id).scope('domain', options.scope);
        const episodeFilter = new SqlFilter().when('id = ?', usage.episodeId).scope('domain', options.scope);
        const [pattern, episode] = await tx.batch([
          { sql: `SELECT 1 FROM patterns WHERE ${patternFilter.sql}`, args: patternFilter.args },
          { sql: `SELECT 1 FROM episodes WHERE ${episodeFilter.sql}`, args: episodeFilter.args },
        ]);
        if (pattern?.rows[0] === undefined)
          throw new EpisodicError('NOT_FOUND', `Pattern ${id} does not exist.`);
        if (episode?.rows[0] === undefined)
          throw new EpisodicError('NOT_FOUND', `Episode ${usage.episodeId} does not exist.`);
        await tx.execute({
          sql: `INSERT INTO pattern_usages (pattern_id, episode_id, helped, used_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (pattern_id, episode_id) DO UPDATE SET helped = excluded.helped, used_at = excluded.used_at`,
          args: [id, usage.episodeId, usage.helped ? 1 : 0, nowIso()],
        });
        const stored = (await recountUsage(tx, id))!;
        await context.audit.inTransaction(tx, {
          actor: options.actor ?? localActor,
          operation: 'update',
          entityType: 'pattern',
          entityId: id,
          domain: stored.domain,
          outcome: 'ok',
        });
        return stored;
      });
      await changes.patternsChanged([{ id: updated.id, patternType: updated.patternType }]);
      return updated;
    },
  };
}
