import { SqlFilter } from './sql-filter.js';

/** The filters every query over episodes accepts. */
export interface EpisodeFilters {
  domain?: string | undefined;
  status?: string | undefined;
  taskType?: string | undefined;
  /** Created at or after (ISO-8601). */
  since?: string | undefined;
  /** Created before (ISO-8601). */
  until?: string | undefined;
}

/** Those filters as a WHERE clause over `episodes` (under `alias`, e.g. `e`), each on an indexed column. */
export function episodeFilter(filters: EpisodeFilters, alias?: string): SqlFilter {
  const column = (name: string) => (alias === undefined ? name : `${alias}.${name}`);
  return new SqlFilter()
    .when(`${column('domain')} = ?`, filters.domain)
    .when(`${column('status')} = ?`, filters.status)
    .when(`${column('task_type')} = ?`, filters.taskType)
    .when(`${column('created_at')} >= ?`, filters.since)
    .when(`${column('created_at')} < ?`, filters.until);
}
