import type { Database } from '../db/database.js';
import { episodeColumns, toEpisode } from '../db/rows.js';
import type { SqlFilter } from '../db/sql-filter.js';
import type { Episode } from '../types.js';

/**
 * The rows of candidate episodes (ids as one JSON array) that pass the filters, looked up by key:
 * a filter column's index would walk every episode in a time range. One statement text whatever
 * the number of candidates, so it is prepared once per connection, not once per count. Exported
 * for the query-plan tests.
 */
export function candidateRowsSql(where: string): string {
  return `SELECT ${episodeColumns} FROM episodes e INDEXED BY sqlite_autoindex_episodes_1
    WHERE e.id IN (SELECT value FROM json_each(?)) AND ${where}`;
}

/**
 * Reads candidate episodes under the filters (`where` on alias `e`), each row at most once per
 * retrieval: the vector scan's eligibility check and the final read share `known`.
 */
export async function candidateRows(
  db: Database,
  ids: readonly string[],
  where: SqlFilter,
  known: Map<string, Episode | null>,
): Promise<void> {
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length === 0) return;
  const rows = await db.read({
    sql: candidateRowsSql(where.sql),
    args: [JSON.stringify(missing), ...where.args],
  });
  for (const id of missing) known.set(id, null);
  for (const row of rows.rows) {
    const episode = toEpisode(row);
    known.set(episode.id, episode);
  }
}
