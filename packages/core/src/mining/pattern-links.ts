import type { InStatement } from '@libsql/client';
import type { AcceptedCandidate } from './collect-candidates.js';

/** One episode ↔ pattern link with what the episode contributed to the pattern's evidence. */
export interface Link {
  episodeId: string;
  patternId: string;
  success: boolean;
  /** The candidate's measurements as JSON, `null` when it had none. */
  measurements: string | null;
}

export function linkContribution(candidate: Pick<AcceptedCandidate, 'success' | 'measurements'>) {
  return {
    success: candidate.success,
    measurements:
      Object.keys(candidate.measurements).length === 0 ? null : JSON.stringify(candidate.measurements),
  };
}

/** One multi-row insert of links into `table` (`episode_patterns` or a remine's shadow). */
export function linkInsert(table: string, links: readonly Link[], now: string): InStatement {
  return {
    sql: `INSERT OR IGNORE INTO ${table} (episode_id, pattern_id, created_at, success, measurements) VALUES
          ${links.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
    args: links.flatMap((link) => [
      link.episodeId,
      link.patternId,
      now,
      link.success ? 1 : 0,
      link.measurements,
    ]),
  };
}
