import type { Database } from '../db/database.js';
import type { SqlFilter } from '../db/sql-filter.js';

/** An episode found by full-text search, with the best of its steps when a step matched too. */
export interface TextCandidate {
  episodeId: string;
  /** BM25 relevance of the whole episode (context and every step), higher is better. */
  bm25: number;
  /** The episode's best-matching step, when it ranked among the step matches. */
  step: { stepNumber: number; bm25: number; rank: number } | null;
}

/** Relative BM25 weights of an episode's context and its steps' text. */
export interface FieldWeights {
  context: number;
  steps: number;
}

export interface RankedRow {
  episodeId: string;
  rank: number;
  stepNumber: number | null;
}

/** Rows taken from a full-text table on the fast path, per episode wanted. */
export const shortlistFactor = 4;

export interface Source {
  table: 'episode_docs_fts' | 'steps_fts';
  /** FTS5's rank, lower is better. */
  rank: string;
  /**
   * Maps the shortlisted rowids to episodes under the filters, by key: the filter columns'
   * indexes are ruled out, or a time range would walk every episode in it.
   */
  mapSql: (rowids: string, where: string) => string;
  /** Every match under the filters, the full-text table first (CROSS JOIN fixes the order). */
  allSql: (where: string) => string;
}

/** Exported for the query-plan tests. */
export function docsSource(weights: FieldWeights): Source {
  const rank = `bm25(episode_docs_fts, ${weights.context}, ${weights.steps})`;
  return {
    table: 'episode_docs_fts',
    rank,
    mapSql: (rowids, where) =>
      `SELECT e.rowid AS source_rowid, e.id AS episode_id, NULL AS step_number
       FROM episodes e NOT INDEXED WHERE e.rowid IN (${rowids}) AND ${where}`,
    allSql: (where) =>
      `SELECT e.id AS episode_id, ${rank} AS rank, NULL AS step_number
       FROM episode_docs_fts CROSS JOIN episodes e ON e.rowid = episode_docs_fts.rowid
       WHERE episode_docs_fts MATCH ? AND ${where} ORDER BY rank LIMIT ?`,
  };
}

export const stepsSource: Source = {
  table: 'steps_fts',
  rank: 'bm25(steps_fts)',
  mapSql: (rowids, where) =>
    `SELECT s.rowid AS source_rowid, e.id AS episode_id, s.step_number
     FROM steps s CROSS JOIN episodes e ON e.id = s.episode_id WHERE s.rowid IN (${rowids}) AND ${where}`,
  // SQLite takes a bare column of a MIN() aggregate from the row holding the minimum: the best
  // step. bm25() cannot sit inside an aggregate, so the matches are materialized first.
  allSql: (where) =>
    `WITH hits AS MATERIALIZED (
       SELECT e.id AS episode_id, bm25(steps_fts) AS rank, s.step_number
       FROM steps_fts CROSS JOIN steps s ON s.rowid = steps_fts.rowid CROSS JOIN episodes e ON e.id = s.episode_id
       WHERE steps_fts MATCH ? AND ${where})
     SELECT episode_id, MIN(rank) AS rank, step_number FROM hits GROUP BY episode_id ORDER BY rank LIMIT ?`,
};

/** A full-text table's best rows for one query, best first; `complete` when no other row matches. */
export interface Shortlist {
  rows: { rowid: number; rank: number }[];
  complete: boolean;
}

/**
 * The full-text shortlists of one retrieval, each query read once: the expanded query reuses
 * the first query's rows (see `expansionRanking`). FTS5 keeps only the top of its ranking while
 * it scores, so a shortlist costs the matches' scoring, never a sort of them all.
 */
export class Shortlists {
  readonly #read = new Map<string, Promise<Shortlist>>();

  constructor(readonly db: Database) {}

  /** The best `size` rows of `source` for `ftsQuery`, and whether they are every match. */
  get(source: Source, ftsQuery: string, size: number): Promise<Shortlist> {
    const key = `${source.rank}\n${size}\n${ftsQuery}`;
    let shortlist = this.#read.get(key);
    if (shortlist === undefined) {
      shortlist = this.db
        .read({
          sql: `SELECT rowid, ${source.rank} AS rank FROM ${source.table} WHERE ${source.table} MATCH ? ORDER BY 2 LIMIT ?`,
          args: [ftsQuery, size + 1],
        })
        .then((top) => ({
          rows: top.rows.map((row) => ({ rowid: Number(row.rowid), rank: Number(row.rank) })),
          complete: top.rows.length <= size,
        }));
      this.#read.set(key, shortlist);
    }
    return shortlist;
  }
}

/**
 * The `limit` episodes with the best row in `source` under the filters, best first. Fast path:
 * the table's best rows (`top`, `limit` × `shortlistFactor` of them), mapped to episodes; exact
 * when the `limit`-th episode ranks better than every row left out. Otherwise (selective
 * filters, or a few episodes owning many top rows) every match, still starting from the
 * full-text table: its cost is bounded by the phrase budget, never by the episodes a filter keeps.
 */
export async function rankShortlist(
  db: Database,
  source: Source,
  top: Shortlist,
  ftsQuery: string,
  where: SqlFilter,
  limit: number,
  exact: boolean,
): Promise<RankedRow[]> {
  const size = limit * shortlistFactor;
  const cutoff = top.complete ? null : (top.rows[size - 1]?.rank ?? null);
  const kept = top.rows.slice(0, size);
  if (kept.length > 0) {
    const mapped = await db.read({
      sql: source.mapSql(kept.map(() => '?').join(', '), where.sql),
      args: [...kept.map((row) => row.rowid), ...where.args],
    });
    const rankOf = new Map(kept.map((row) => [row.rowid, row.rank]));
    const best = new Map<string, RankedRow>();
    for (const row of mapped.rows) {
      const episodeId = String(row.episode_id);
      const rank = rankOf.get(Number(row.source_rowid)) as number;
      const seen = best.get(episodeId);
      if (seen === undefined || rank < seen.rank) {
        best.set(episodeId, {
          episodeId,
          rank,
          stepNumber: row.step_number === null ? null : Number(row.step_number),
        });
      }
    }
    const ranked = [...best.values()]
      .sort((a, b) => a.rank - b.rank || (a.episodeId < b.episodeId ? -1 : 1))
      .slice(0, limit);
    const last = ranked[ranked.length - 1];
    if (!exact || cutoff === null || (ranked.length === limit && last !== undefined && last.rank < cutoff))
      return ranked;
  } else if (cutoff === null) {
    return [];
  }
  const all = await db.read({ sql: source.allSql(where.sql), args: [ftsQuery, ...where.args, limit] });
  return all.rows.map((row) => ({
    episodeId: String(row.episode_id),
    rank: Number(row.rank),
    stepNumber: row.step_number === null ? null : Number(row.step_number),
  }));
}

/** `rankShortlist` over the retrieval's shortlist of `ftsQuery`. */
async function rankEpisodes(
  shortlists: Shortlists,
  source: Source,
  ftsQuery: string,
  where: SqlFilter,
  limit: number,
  exact: boolean,
): Promise<RankedRow[]> {
  const top = await shortlists.get(source, ftsQuery, limit * shortlistFactor);
  return rankShortlist(shortlists.db, source, top, ftsQuery, where, limit, exact);
}

/**
 * The `limit` episodes whose whole text best matches `ftsQuery` by BM25 (`episode_docs_fts`),
 * best first, each with its best-matching step when that step is among the best-ranked step rows
 * (`steps_fts`, the shortlist only, searched for `stepsQuery`). `where` (on alias `e`) carries the filters and the access scope.
 */
export async function textCandidates(
  shortlists: Shortlists,
  ftsQuery: string,
  stepsQuery: string,
  where: SqlFilter,
  limit: number,
  weights: FieldWeights,
): Promise<TextCandidate[]> {
  const episodes = await rankEpisodes(shortlists, docsSource(weights), ftsQuery, where, limit, true);
  if (episodes.length === 0) return [];
  // Step matches are evidence beside the episode's own score: the shortlist's are enough, and a
  // long conversation owning most top rows would otherwise send every query down the full path.
  const steps = await rankEpisodes(shortlists, stepsSource, stepsQuery, where, limit, false);
  const stepOf = new Map(steps.map((row, index) => [row.episodeId, { row, rank: index + 1 }]));
  return episodes.map(({ episodeId, rank }) => {
    const step = stepOf.get(episodeId);
    return {
      episodeId,
      bm25: -rank,
      step:
        step === undefined
          ? null
          : { stepNumber: step.row.stepNumber as number, bm25: -step.row.rank, rank: step.rank },
    };
  });
}

/**
 * The `limit` episodes whose whole text best matches `ftsQuery`, best first, from the shortlist
 * only: for the extra rankings (expansion, proximity) that add evidence beside the main one.
 */
export async function episodeRanking(
  shortlists: Shortlists,
  ftsQuery: string,
  where: SqlFilter,
  limit: number,
  weights: FieldWeights,
): Promise<string[]> {
  const ranked = await rankEpisodes(shortlists, docsSource(weights), ftsQuery, where, limit, false);
  return ranked.map((row) => row.episodeId);
}
