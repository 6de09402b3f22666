import type { InStatement } from '@libsql/client';
import type { Database } from '../db/database.js';
import type { SqlFilter } from '../db/sql-filter.js';

/** Rows taken from a full-text table on the fast path, per episode wanted. */
export const shortlistFactor = 4;

/** A full-text table that shortlists are read from, with the SQL that maps its rows to episodes. */
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

/** Rankings that skip their shortlist after one fell short, before the shortlist is tried again. */
const skipsAfterShortfall = 16;
/** Filters remembered at most (the oldest is forgotten first). */
const rememberedFilters = 1_000;

/**
 * The filters under which an exact ranking lately found its shortlist too short (too few of its
 * rows pass them) and read every match after it. Under a selective filter (one domain of many,
 * a scoped caller's) that is most rankings, and reading the shortlist first scored every match
 * twice. For the next `skipsAfterShortfall` rankings under the same filters every match is read
 * at once; then the shortlist is tried again (a domain may grow to fill it). Only speed depends
 * on this: both ways give the same ranking.
 */
export class ShortlistShortfalls {
  readonly #skips = new Map<string, number>();

  /** Whether a ranking under `key` reads every match at once; each such answer uses one skip up. */
  skip(key: string): boolean {
    const left = this.#skips.get(key);
    if (left === undefined) return false;
    if (left <= 1) this.#skips.delete(key);
    else this.#skips.set(key, left - 1);
    return true;
  }

  /** A ranking under `key` read its shortlist and then every match. */
  fellShort(key: string): void {
    this.#skips.delete(key);
    this.#skips.set(key, skipsAfterShortfall);
    if (this.#skips.size > rememberedFilters) this.#skips.delete(this.#skips.keys().next().value as string);
  }
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
   * @param shortfalls where the engine remembers, across retrievals, the narrowed filters under
   * which shortlists fell short.
   */
  constructor(
    readonly db: Database,
    readonly where: SqlFilter,
    readonly narrowed = false,
    readonly shortfalls?: ShortlistShortfalls,
  ) {}

  #filterKey(source: Source): string {
    return `${source.rank}\n${this.where.sql}\n${JSON.stringify(this.where.args)}`;
  }

  /** Whether an exact ranking of `source` reads every match at once (`ShortlistShortfalls`). */
  skipsShortlist(source: Source): boolean {
    return this.narrowed && this.shortfalls?.skip(this.#filterKey(source)) === true;
  }

  /** An exact ranking of `source` found its shortlist too short and read every match. */
  fellShort(source: Source): void {
    if (this.narrowed) this.shortfalls?.fellShort(this.#filterKey(source));
  }

  /** Rows of a shortlist of `size` (`limit` × `shortlistFactor`) looked up with it. */
  mappedRows(size: number): number {
    return this.narrowed ? size : Math.min(size, Math.ceil((size / shortlistFactor) * mappedPerEpisode));
  }

  /**
   * The best `size` rows of `source` for `ftsQuery`, and whether they are every match; read
   * `aside` (`Database.readAside`) when the caller has other work for this thread meanwhile.
   */
  get(source: Source, ftsQuery: string, size: number, aside = false): Promise<Shortlist> {
    const key = shortlistKey(source, ftsQuery, size);
    let shortlist = this.#read.get(key);
    if (shortlist === undefined) {
      const read = (statement: InStatement) =>
        aside ? this.db.readAside(statement) : this.db.read(statement);
      shortlist = read(
        this.narrowed
          ? {
              sql: shortlistSql(source, this.where.sql, true),
              args: [ftsQuery, size + 1, ...this.where.args],
            }
          : {
              sql: shortlistSql(source, this.where.sql),
              args: [ftsQuery, size + 1, this.mappedRows(size), ...this.where.args],
            },
      ).then((top) => ({
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

  /** The shortlist `get` read for these arguments, if it did. */
  cached(source: Source, ftsQuery: string, size: number): Promise<Shortlist> | undefined {
    return this.#read.get(shortlistKey(source, ftsQuery, size));
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

const shortlistKey = (source: Source, ftsQuery: string, size: number) =>
  `${source.rank}\n${size}\n${ftsQuery}`;

/**
 * Rows looked up with a shortlist, per episode a ranking keeps: a quarter more, for rows that fail
 * the filters or share an episode. In the speed bench's 100,000-episode store the first 100 step
 * rows are 100 or 101 episodes.
 */
export const mappedPerEpisode = 1.25;

/** An owner column: undefined when not looked up (null), null when the row fails the filters (''). */
const ownerOf = (value: unknown): string | null | undefined =>
  value === null || value === undefined ? undefined : value === '' ? null : String(value);
