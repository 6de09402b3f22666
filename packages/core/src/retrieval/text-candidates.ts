import type { Database } from '../db/database.js';
import type { SqlFilter } from '../db/sql-filter.js';

export interface TextCandidate {
  episodeId: string;
  /** BM25 relevance of the episode's best match, higher is better. */
  bm25: number;
  /** The step holding the best match; null when it was the episode's own fields. */
  stepNumber: number | null;
}

/** Rows taken from each full-text table on the fast path, per candidate wanted. */
const shortlistFactor = 4;

interface Shortlist {
  rows: { rowid: number; rank: number }[];
  /** Rank of the last row when the list was cut short (more rows match); null when it holds them all. */
  cutoff: number | null;
}

async function shortlist(
  db: Database,
  table: 'episodes_fts' | 'steps_fts',
  ftsQuery: string,
  size: number,
): Promise<Shortlist> {
  const result = await db.read({
    // bm25() in the select list sorts faster than FTS5's `rank` column.
    sql: `SELECT rowid, bm25(${table}) AS rank FROM ${table} WHERE ${table} MATCH ? ORDER BY 2 LIMIT ?`,
    args: [ftsQuery, size + 1],
  });
  const rows = result.rows.map((row) => ({ rowid: Number(row.rowid), rank: Number(row.rank) }));
  const full = rows.length > size;
  return { rows: rows.slice(0, size), cutoff: full ? (rows[size - 1]?.rank ?? null) : null };
}

/**
 * Fast path: the best-ranked rows of each table first (FTS5 keeps only the top of its ranking
 * while it scores), then one query that maps just those rows to episodes under the filters. Its
 * answer is exact when the `limit`-th episode ranks better than every row left out; otherwise
 * (selective filters, or few episodes owning many of the top rows) null.
 */
async function fromShortlists(
  db: Database,
  ftsQuery: string,
  where: SqlFilter,
  limit: number,
): Promise<TextCandidate[] | null> {
  const size = limit * shortlistFactor;
  const episodeList = await shortlist(db, 'episodes_fts', ftsQuery, size);
  const stepList = await shortlist(db, 'steps_fts', ftsQuery, size);
  const inList = (rows: Shortlist['rows']) => (rows.length === 0 ? 'NULL' : rows.map(() => '?').join(', '));
  const mapped = await db.read({
    sql: `SELECT 'e' AS source, e.rowid AS source_rowid, e.id AS episode_id, NULL AS step_number
          FROM episodes e WHERE e.rowid IN (${inList(episodeList.rows)}) AND ${where.sql}
          UNION ALL
          SELECT 's', s.rowid, e.id, s.step_number
          FROM steps s JOIN episodes e ON e.id = s.episode_id
          WHERE s.rowid IN (${inList(stepList.rows)}) AND ${where.sql}`,
    args: [
      ...episodeList.rows.map((row) => row.rowid),
      ...where.args,
      ...stepList.rows.map((row) => row.rowid),
      ...where.args,
    ],
  });
  const episodeRanks = new Map(episodeList.rows.map((row) => [row.rowid, row.rank]));
  const stepRanks = new Map(stepList.rows.map((row) => [row.rowid, row.rank]));
  const best = new Map<string, { rank: number; stepNumber: number | null }>();
  for (const row of mapped.rows) {
    const fromEpisode = row.source === 'e';
    const rowRank = (fromEpisode ? episodeRanks : stepRanks).get(Number(row.source_rowid)) as number;
    const id = String(row.episode_id);
    const seen = best.get(id);
    if (seen === undefined || rowRank < seen.rank) {
      best.set(id, { rank: rowRank, stepNumber: fromEpisode ? null : Number(row.step_number) });
    }
  }
  const ranked = [...best.entries()]
    .sort((a, b) => a[1].rank - b[1].rank || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit);
  // An episode left out has all its rows ranked at or after the cutoff of a list that was cut.
  const cutoffs = [episodeList.cutoff, stepList.cutoff].filter((cutoff): cutoff is number => cutoff !== null);
  const threshold = cutoffs.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...cutoffs);
  const last = ranked[ranked.length - 1];
  const exact =
    cutoffs.length === 0 || (ranked.length === limit && last !== undefined && last[1].rank < threshold);
  if (!exact) return null;
  return ranked.map(([episodeId, { rank: bestRank, stepNumber }]) => ({
    episodeId,
    bm25: -bestRank,
    stepNumber,
  }));
}

/** Slow path: every matching row joined and filtered in one statement (its cost is bounded by the phrase budget). */
async function fromAllMatches(
  db: Database,
  ftsQuery: string,
  where: SqlFilter,
  limit: number,
): Promise<TextCandidate[]> {
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

/**
 * The `limit` episodes with the best BM25 match over their own fields (`episodes_fts`) and
 * their steps (`steps_fts`), best first. `where` (on alias `e`) carries the filters and the
 * access scope into SQL on both paths.
 */
export async function textCandidates(
  db: Database,
  ftsQuery: string,
  where: SqlFilter,
  limit: number,
): Promise<TextCandidate[]> {
  return (await fromShortlists(db, ftsQuery, where, limit)) ?? fromAllMatches(db, ftsQuery, where, limit);
}
