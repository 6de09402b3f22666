import type { Database } from '../db/database.js';
import type { SqlFilter } from '../db/sql-filter.js';

export interface TextCandidate {
  episodeId: string;
  /** BM25 relevance of the episode's best match, higher is better. */
  bm25: number;
  /** The step holding the best match; null when it was the episode's own fields. */
  stepNumber: number | null;
}

/**
 * The `limit` episodes with the best BM25 match over their own fields (`episodes_fts`) and
 * their steps (`steps_fts`), best first. `where` (on alias `e`) carries the filters and the
 * access scope into the same statement as the match.
 */
export async function textCandidates(db: Database, ftsQuery: string, where: SqlFilter, limit: number): Promise<TextCandidate[]> {
  const rows = await db.read({
    // SQLite takes a bare column of a MIN() aggregate from the row holding the minimum: the best step.
    sql: `WITH hits AS (
            SELECT e.id AS episode_id, bm25(episodes_fts) AS rank, NULL AS step_number
            FROM episodes_fts JOIN episodes e ON e.rowid = episodes_fts.rowid
            WHERE episodes_fts MATCH ? AND ${where.sql}
            UNION ALL
            SELECT e.id, bm25(steps_fts), s.step_number
            FROM steps_fts JOIN steps s ON s.rowid = steps_fts.rowid
            JOIN episodes e ON e.id = s.episode_id
            WHERE steps_fts MATCH ? AND ${where.sql}
          )
          SELECT episode_id, MIN(rank) AS best, step_number FROM hits
          GROUP BY episode_id ORDER BY best, episode_id LIMIT ?`,
    args: [ftsQuery, ...where.args, ftsQuery, ...where.args, limit],
  });
  return rows.rows.map((row) => ({
    episodeId: String(row.episode_id),
    bm25: -Number(row.best),
    stepNumber: row.step_number === null ? null : Number(row.step_number),
  }));
}
