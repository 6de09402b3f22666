import type { Database } from '../db/database.js';
import type { SqlFilter } from '../db/sql-filter.js';
import { stepRanking } from './step-ranking.js';

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
   * The shortlist `f` (rowid, rank, best first) with the episode of each of its first rows (the
   * argument after the shortlist's, then the filter's) under the filters, '' when it fails them,
   * null for the rows after; with `all`, of every row (no argument: a join, cheaper per row).
   * Looked up by key from the shortlist, in the same statement: the filter columns' indexes are
   * ruled out, or a time range would walk every episode in it.
   */
  mapSql: (where: string, all: boolean) => string;
  /** The episodes of rows (the filter's arguments, then their rowids as a JSON array), as `mapSql` gives them. */
  ownersSql: (where: string) => string;
  /** Every match under the filters, the full-text table first (CROSS JOIN fixes the order). */
  allSql: (where: string) => string;
}

/** The episode of a whole-episode row under the filters, '' when it fails them (or is gone). */
const docOwnerSql = (rowid: string, where: string) =>
  `coalesce((SELECT e.id FROM episodes e NOT INDEXED WHERE e.rowid = ${rowid} AND (${where})), '')`;

/** Exported for the query-plan tests. */
export function docsSource(weights: FieldWeights): Source {
  const rank = `bm25(episode_docs_fts, ${weights.context}, ${weights.steps})`;
  return {
    table: 'episode_docs_fts',
    rank,
    mapSql: (where, all) =>
      all
        ? `SELECT f.rowid, f.rank, CASE WHEN e.rowid IS NOT NULL AND (${where}) THEN e.id ELSE '' END AS episode_id
           FROM f LEFT JOIN episodes e NOT INDEXED ON e.rowid = f.rowid`
        : `SELECT rowid, rank, CASE WHEN n <= ? THEN ${docOwnerSql('g.rowid', where)} END AS episode_id
           FROM (SELECT rowid, rank, row_number() OVER () AS n FROM f) g`,
    ownersSql: (where) =>
      `SELECT ${docOwnerSql('j.value', where)} AS episode_id FROM json_each(?) j ORDER BY j.key`,
    allSql: (where) =>
      `SELECT e.id AS episode_id, ${rank} AS rank
       FROM episode_docs_fts CROSS JOIN episodes e ON e.rowid = episode_docs_fts.rowid
       WHERE episode_docs_fts MATCH ? AND ${where} ORDER BY rank LIMIT ?`,
  };
}

/** The statement that reads a shortlist of `source` and maps it to episodes under `where`. */
export function shortlistSql(source: Source, where: string, all = false): string {
  return `WITH f AS (SELECT rowid, ${source.rank} AS rank FROM ${source.table} WHERE ${source.table} MATCH ?
    ORDER BY 2 LIMIT ?) ${source.mapSql(where, all)}`;
}

/** A full-text row of a shortlist: its rank, and its episode when that passes the filters. */
export interface ShortlistRow {
  rowid: number;
  rank: number;
  /** Null when the episode fails the filters (or the row is gone); undefined until looked up. */
  episodeId: string | null | undefined;
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
 * all. Each of its first rows comes with its episode from the same statement (`mappedRows`):
 * mapping the rowids in a second statement cost as much again. Looking up an episode costs more
 * than scoring a row, and a ranking of `limit` episodes mostly needs only the first `limit`
 * rows that pass the filters: the others are looked up only when a ranking needs them
 * (`lookUp`, one statement text whatever their number).
 */
export class Shortlists {
  readonly #read = new Map<string, Promise<Shortlist>>();

  /**
   * @param narrowed the caller's filters or scope may leave out most episodes: then the first rows
   * rarely settle a ranking, and every shortlisted row is looked up with its shortlist at once.
   */
  constructor(
    readonly db: Database,
    readonly where: SqlFilter,
    readonly narrowed = false,
  ) {}

  /** Rows of a shortlist of `size` (`limit` × `shortlistFactor`) looked up with it. */
  mappedRows(size: number): number {
    return this.narrowed ? size : Math.min(size, Math.ceil((size / shortlistFactor) * mappedPerEpisode));
  }

  /** The best `size` rows of `source` for `ftsQuery`, and whether they are every match. */
  get(source: Source, ftsQuery: string, size: number): Promise<Shortlist> {
    const key = `${source.rank}\n${size}\n${ftsQuery}`;
    let shortlist = this.#read.get(key);
    if (shortlist === undefined) {
      shortlist = this.db
        .read(
          this.narrowed
            ? {
                sql: shortlistSql(source, this.where.sql, true),
                args: [ftsQuery, size + 1, ...this.where.args],
              }
            : {
                sql: shortlistSql(source, this.where.sql),
                args: [ftsQuery, size + 1, this.mappedRows(size), ...this.where.args],
              },
        )
        .then((top) => ({
          rows: top.rows.map((row) => ({
            rowid: Number(row.rowid),
            rank: Number(row.rank),
            episodeId: ownerOf(row.episode_id),
          })),
          complete: top.rows.length <= size,
        }));
      this.#read.set(key, shortlist);
    }
    return shortlist;
  }

  /** Fills in the episode of each row of `rows` not looked up yet (`ShortlistRow.episodeId`). */
  async lookUp(source: Source, rows: readonly ShortlistRow[]): Promise<void> {
    const missing = rows.filter((row) => row.episodeId === undefined);
    if (missing.length === 0) return;
    const owners = await this.db.read({
      sql: source.ownersSql(this.where.sql),
      args: [...this.where.args, JSON.stringify(missing.map((row) => row.rowid))],
    });
    missing.forEach((row, index) => {
      row.episodeId = ownerOf(owners.rows[index]?.episode_id) ?? null;
    });
  }
}

/**
 * Rows looked up with a shortlist, per episode a ranking keeps: a quarter more, for rows that fail
 * the filters or share an episode. In the speed bench's 100,000-episode store the first 100 step
 * rows are 100 or 101 episodes.
 */
export const mappedPerEpisode = 1.25;

/** An owner column: undefined when not looked up (null), null when the row fails the filters (''). */
const ownerOf = (value: unknown): string | null | undefined =>
  value === null || value === undefined ? undefined : value === '' ? null : String(value);

/** Each episode's best row among the looked-up rows of `rows`, the best `limit` of them, ranked. */
function bestEpisodes(rows: readonly ShortlistRow[], limit: number): RankedRow[] {
  const best = new Map<string, ShortlistRow>();
  for (const row of rows) {
    if (row.episodeId === null || row.episodeId === undefined) continue;
    const seen = best.get(row.episodeId);
    if (seen === undefined || row.rank < seen.rank) best.set(row.episodeId, row);
  }
  return [...best.values()]
    .map(({ episodeId, rank }) => ({ episodeId: episodeId as string, rank }))
    .sort(byRank)
    .slice(0, limit);
}

/**
 * Whether the rows not looked up cannot change the best `limit` episodes of those looked up
 * (`ranked`): rows are best first, so none left out ranks better than `next`, the first of them.
 */
export function settled(
  ranked: readonly RankedRow[],
  limit: number,
  next: { rank: number } | undefined,
): boolean {
  const last = ranked[limit - 1];
  return next === undefined || (last !== undefined && last.rank < next.rank);
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
    let ranked = bestEpisodes(kept, limit);
    if (
      !settled(
        ranked,
        limit,
        kept.find((row) => row.episodeId === undefined),
      )
    ) {
      await shortlists.lookUp(source, kept);
      ranked = bestEpisodes(kept, limit);
    }
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
export const byRank = (a: RankedRow, b: RankedRow) => a.rank - b.rank || (a.episodeId < b.episodeId ? -1 : 1);

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
  const steps = await stepRanking(shortlists, stepsQuery, limit, episodes.length === limit);
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
