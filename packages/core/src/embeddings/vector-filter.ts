/** Restrictions applied inside the scan: only rows of matching episodes are scored at all. */
export interface VectorFilter {
  /** Only these domains (the intersection of a domain filter and the caller's scope); absent: all. */
  domains?: readonly string[] | undefined;
  taskType?: string | undefined;
  /** Episodes created at or after / before these times (ms since the epoch). */
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
}

/** An episode as the index holds it: what a filter is checked against. */
export interface EpisodeEntry {
  id: string;
  domain: string;
  taskType: string;
  createdMs: number;
}

/** Whether `episode` passes the filter's episode restrictions (domains are matched by row lists). */
export function matchesFilter(episode: EpisodeEntry, filter: VectorFilter): boolean {
  if (filter.taskType !== undefined && episode.taskType !== filter.taskType) return false;
  if (filter.sinceMs !== undefined && episode.createdMs < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && episode.createdMs >= filter.untilMs) return false;
  return true;
}
