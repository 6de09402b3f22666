import type { Transaction } from '@libsql/client';
import { rankScore } from '../mining/evidence.js';
import { type MinedPattern, minedPatternColumns, toMinedPattern } from './pattern-row.js';

/**
 * A pattern's usage feedback counted again from its `pattern_usages` rows (one verdict per
 * episode), with `last_used` and the ranking score that depend on it. Called when a verdict is
 * recorded, and by `forget` for the patterns whose verdicts went with the deleted episodes (the
 * rows cascade; the counts on the pattern do not). Null when the pattern no longer exists.
 */
export async function recountUsage(tx: Transaction, patternId: string): Promise<MinedPattern | null> {
  const counted = (
    await tx.execute({
      sql: `SELECT support, successes, COUNT(u.episode_id) AS used, COALESCE(SUM(u.helped), 0) AS helped,
              MAX(u.used_at) AS last_used
            FROM patterns p LEFT JOIN pattern_usages u ON u.pattern_id = p.id WHERE p.id = ? GROUP BY p.id`,
      args: [patternId],
    })
  ).rows[0];
  if (counted === undefined) return null;
  const usageCount = Number(counted.used);
  const helpedCount = Number(counted.helped);
  const score = rankScore({
    support: Number(counted.support ?? 0),
    successes: Number(counted.successes ?? 0),
    usageCount,
    helpedCount,
  });
  const row = await tx.execute({
    sql: `UPDATE patterns SET usage_count = ?, helped_count = ?, last_used = ?, score = ?
          WHERE id = ? RETURNING ${minedPatternColumns}`,
    args: [usageCount, helpedCount, counted.last_used ?? null, score, patternId],
  });
  return toMinedPattern(row.rows[0]!);
}
