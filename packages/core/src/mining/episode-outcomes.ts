import type { StatementReader } from './mining-batch.js';

/**
 * How an episode finished, as SQL over `episodes` (aliased `e`): its `outcome`, or, for a row a
 * process older than schema 1.22.0 completed after another one migrated the store (a rolling
 * upgrade), its `status`. NULL when it never finished, or was archived before 1.22.0 unmined.
 */
export const outcomeSql = `COALESCE(e.outcome, CASE WHEN e.status IN ('completed', 'failed') THEN e.status END)`;

/**
 * Whether each of these episodes succeeded, from the outcome it finished with (kept when it is
 * archived, where `status` is not). An episode with no known outcome is left out.
 */
export async function readOutcomes(
  reader: StatementReader,
  ids: readonly string[],
): Promise<Map<string, boolean>> {
  if (ids.length === 0) return new Map();
  const { rows } = await reader.execute({
    sql: `SELECT e.id, ${outcomeSql} AS outcome FROM episodes e
          WHERE e.id IN (${ids.map(() => '?').join(', ')}) AND ${outcomeSql} IS NOT NULL`,
    args: [...ids],
  });
  return new Map(rows.map((row) => [String(row.id), row.outcome === 'completed']));
}
