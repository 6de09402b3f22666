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
}

/** An episode's best step among the step matches. */
export interface StepRow extends RankedRow {
  stepNumber: number;
}

/** Rows taken from a full-text table on the fast path, per episode wanted. */
export const shortlistFactor = 4;

export interface Source {
  table: 'episode_docs_fts';
  /** FTS5's rank, lower is better. */
  rank: string;
  /**
   * The shortlist `f` (rowid, rank, best first) with each row's episode under the filters, null
   * when it fails them. Looked up by key from the shortlist, in the same statement: the filter
   * columns' indexes are ruled out, or a time range would walk every episode in it.
   */
  mapSql: (where: string) => string;
  /** Every match under the filters, the full-text table first (CROSS JOIN fixes the order). */
  allSql: (where: string) => string;
}

/** Exported for the query-plan tests. */
export function docsSource(weights: FieldWeights): Source {
  const rank = `bm25(episode_docs_fts, ${weights.context}, ${weights.steps})`;
  return {
    table: 'episode_docs_fts',
    rank,
    mapSql: (where) =>
      `SELECT f.rowid, f.rank, CASE WHEN e.rowid IS NOT NULL AND (${where}) THEN e.id END AS episode_id
       FROM f LEFT JOIN episodes e NOT INDEXED ON e.rowid = f.rowid`,
    allSql: (where) =>
      `SELECT e.id AS episode_id, ${rank} AS rank
       FROM episode_docs_fts CROSS JOIN episodes e ON e.rowid = episode_docs_fts.rowid
       WHERE episode_docs_fts MATCH ? AND ${where} ORDER BY rank LIMIT ?`,
  };
}

/**
 * Each episode's best step (lowest rank, then first stored) under the filters, among the step
 * table's best rows: the top `size + 1` as a shortlist reads them, of which the first `size`
 * (arguments: the query, `size + 1`, `size`, the filter's). Ranked per episode in SQL: one row
 * per episode comes back, not one per matching step. Exported for the query-plan tests.
 */
export function stepRankingSql(where: string): string {
  return `WITH f AS (SELECT rowid, bm25(steps_fts) AS rank FROM steps_fts WHERE steps_fts MATCH ?
      ORDER BY 2 LIMIT ?),
    kept AS (SELECT rowid, rank FROM f LIMIT ?),
    ranked AS (SELECT e.id AS episode_id, kept.rank, s.step_number,
        row_number() OVER (PARTITION BY e.id ORDER BY kept.rank, kept.rowid) AS nth
      FROM kept CROSS JOIN steps s ON s.rowid = kept.rowid CROSS JOIN episodes e ON e.id = s.episode_id
      WHERE ${where})
    SELECT episode_id, rank, step_number FROM ranked WHERE nth = 1`;
}

/** The statement that reads a shortlist of `source` and maps it to episodes under `where`. */
export function shortlistSql(source: Source, where: string): string {
  return `WITH f AS (SELECT rowid, ${source.rank} AS rank FROM ${source.table} WHERE ${source.table} MATCH ?
    ORDER BY 2 LIMIT ?) ${source.mapSql(where)}`;
}

/** A full-text row of a shortlist: its rank, and its episode when that passes the filters. */
export interface ShortlistRow {
  rowid: number;
  rank: number;
  /** Null when the episode fails the filters (or the row is gone). */
  episodeId: string | null;
}

/** A full-text table's best rows for one query, best first; `complete` when no other row matches. */
export interface Shortlist {
  rows: ShortlistRow[];
  complete: boolean;
}

/**
 * The full-text shortlists of one retrieval under its filters, each query read once: the
 * expanded query reuses the first query's rows (see `expansionRanking`). FTS5 keeps only the top
 * of its ranking while it scores, so a shortlist costs the matches' scoring, never a sort of them
 * all. Each row comes with its episode from the same statement: mapping the rowids in a second
 * statement cost as much again, and its list of keys, a new length each time, a new statement.
 */
export class Shortlists {
  readonly #read = new Map<string, Promise<Shortlist>>();

  constructor(
    readonly db: Database,
    readonly where: SqlFilter,
  ) {}

  /** The best `size` rows of `source` for `ftsQuery`, and whether they are every match. */
  get(source: Source, ftsQuery: string, size: number): Promise<Shortlist> {
    const key = `${source.rank}\n${size}\n${ftsQuery}`;
    let shortlist = this.#read.get(key);
    if (shortlist === undefined) {
      shortlist = this.db
        .read({ sql: shortlistSql(source, this.where.sql), args: [ftsQuery, size + 1, ...this.where.args] })
        .then((top) => ({
          rows: top.rows.map((row) => ({
            rowid: Number(row.rowid),
            rank: Number(row.rank),
            episodeId: row.episode_id === null ? null : String(row.episode_id),
          })),
          complete: top.rows.length <= size,
        }));
      this.#read.set(key, shortlist);
    }
    return shortlist;
  }
}

/**
 * The `limit` episodes with the best row in `source` under the shortlists' filters, best first.
 * Fast path: the table's best rows (`top`, `limit` × `shortlistFactor` of them); exact
 * when the `limit`-th episode ranks better than every row left out. Otherwise (selective
 * filters, or a few episodes owning many top rows) every match, still starting from the
 * full-text table: its cost is bounded by the phrase budget, never by the episodes a filter keeps.
 */
export async function rankShortlist(
  shortlists: Shortlists,
  source: Source,
  top: Shortlist,
  ftsQuery: string,
  limit: number,
  exact: boolean,
): Promise<RankedRow[]> {
  const size = limit * shortlistFactor;
  const cutoff = top.complete ? null : (top.rows[size - 1]?.rank ?? null);
  const kept = top.rows.slice(0, size);
  if (kept.length > 0) {
    const best = new Map<string, ShortlistRow>();
    for (const row of kept) {
      if (row.episodeId === null) continue;
      const seen = best.get(row.episodeId);
      if (seen === undefined || row.rank < seen.rank) best.set(row.episodeId, row);
    }
    const ranked = [...best.values()]
      .map(({ episodeId, rank }) => ({ episodeId: episodeId as string, rank }))
      .sort(byRank)
      .slice(0, limit);
    const last = ranked[ranked.length - 1];
    if (!exact || cutoff === null || (ranked.length === limit && last !== undefined && last.rank < cutoff))
      return ranked;
  } else if (cutoff === null) {
    return [];
  }
  const { db, where } = shortlists;
  const all = await db.read({ sql: source.allSql(where.sql), args: [ftsQuery, ...where.args, limit] });
  return all.rows.map((row) => ({ episodeId: String(row.episode_id), rank: Number(row.rank) }));
}

/** Best rank first, then by id: the order every ranking here is cut in. */
const byRank = (a: RankedRow, b: RankedRow) => a.rank - b.rank || (a.episodeId < b.episodeId ? -1 : 1);

/**
 * The `limit` episodes with the best step rows for `ftsQuery`, best first, each with its best
 * step, from the step table's shortlist only (`stepRankingSql`) under the shortlists' filters.
 */
async function stepRanking(shortlists: Shortlists, ftsQuery: string, limit: number): Promise<StepRow[]> {
  const size = limit * shortlistFactor;
  const { db, where } = shortlists;
  const best = await db.read({
    sql: stepRankingSql(where.sql),
    args: [ftsQuery, size + 1, size, ...where.args],
  });
  return best.rows
    .map((row) => ({
      episodeId: String(row.episode_id),
      rank: Number(row.rank),
      stepNumber: Number(row.step_number),
    }))
    .sort(byRank)
    .slice(0, limit);
}

/** `rankShortlist` over the retrieval's shortlist of `ftsQuery`. */
async function rankEpisodes(
  shortlists: Shortlists,
  source: Source,
  ftsQuery: string,
  limit: number,
  exact: boolean,
): Promise<RankedRow[]> {
  const top = await shortlists.get(source, ftsQuery, limit * shortlistFactor);
  return rankShortlist(shortlists, source, top, ftsQuery, limit, exact);
}

/**
 * The `limit` episodes whose whole text best matches `ftsQuery` by BM25 (`episode_docs_fts`),
 * best first, each with its best-matching step when that step is among the best-ranked step rows
 * (`steps_fts`, the shortlist only, searched for `stepsQuery`), under the shortlists' filters.
 */
export async function textCandidates(
  shortlists: Shortlists,
  ftsQuery: string,
  stepsQuery: string,
  limit: number,
  weights: FieldWeights,
): Promise<TextCandidate[]> {
  const episodes = await rankEpisodes(shortlists, docsSource(weights), ftsQuery, limit, true);
  if (episodes.length === 0) return [];
  // Step matches are evidence beside the episode's own score: the shortlist's are enough, and a
  // long conversation owning most top rows would otherwise send every query down the full path.
  const steps = await stepRanking(shortlists, stepsQuery, limit);
  const stepOf = new Map(steps.map((row, index) => [row.episodeId, { row, rank: index + 1 }]));
  return episodes.map(({ episodeId, rank }) => {
    const step = stepOf.get(episodeId);
    return {
      episodeId,
      bm25: -rank,
      step:
        step === undefined
          ? null
          : { stepNumber: step.row.stepNumber, bm25: -step.row.rank, rank: step.rank },
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
  limit: number,
  weights: FieldWeights,
): Promise<string[]> {
  const ranked = await rankEpisodes(shortlists, docsSource(weights), ftsQuery, limit, false);
  return ranked.map((row) => row.episodeId);
}
