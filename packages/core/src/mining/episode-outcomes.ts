import type { StatementReader } from './mining-batch.js';

/**
 * Whether each of these episodes succeeded, from the outcome it finished with (`episodes.outcome`,
 * kept when it is archived, where `status` is not). An episode with no known outcome is left out:
 * it never finished, or it was archived before schema 1.22.0 without being mined.
 */
export async function readOutcomes(
  reader: StatementReader,
  ids: readonly string[],
): Promise<Map<string, boolean>> {
  if (ids.length === 0) return new Map();
  const { rows } = await reader.execute({
    sql: `SELECT id, outcome FROM episodes WHERE id IN (${ids.map(() => '?').join(', ')}) AND outcome IS NOT NULL`,
    args: [...ids],
  });
  return new Map(rows.map((row) => [String(row.id), row.outcome === 'completed']));
}
