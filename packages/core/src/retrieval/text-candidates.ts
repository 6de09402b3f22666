import { byRank, type RankedRow, settled } from './ranked-rows.js';
import {
  type Shortlist,
  type ShortlistRow,
  type Shortlists,
  type Source,
  shortlistFactor,
} from './shortlists.js';
import type { StepRow } from './step-ranking.js';

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
       WHERE episode_docs_fts MATCH ? AND ${where} ORDER BY rank, e.id LIMIT ?`,
  };
}

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
  if (exact) shortlists.fellShort(source);
  return everyMatch(shortlists, source, ftsQuery, limit);
}

/** The `limit` episodes with the best row in `source` under the shortlists' filters, from every match. */
async function everyMatch(
  shortlists: Shortlists,
  source: Source,
  ftsQuery: string,
  limit: number,
): Promise<RankedRow[]> {
  const { db, where } = shortlists;
  const all = await db.read({ sql: source.allSql(where.sql), args: [ftsQuery, ...where.args, limit] });
  return all.rows.map((row) => ({ episodeId: String(row.episode_id), rank: Number(row.rank) }));
}

/** `rankShortlist` over the retrieval's shortlist of `ftsQuery`. */
async function rankEpisodes(
  shortlists: Shortlists,
  source: Source,
  ftsQuery: string,
  limit: number,
  exact: boolean,
  aside = false,
): Promise<RankedRow[]> {
  if (exact && shortlists.skipsShortlist(source)) return everyMatch(shortlists, source, ftsQuery, limit);
  const top = await shortlists.get(source, ftsQuery, limit * shortlistFactor, aside);
  return rankShortlist(shortlists, source, top, ftsQuery, limit, exact);
}

/**
 * The `limit` episodes whose whole text best matches `ftsQuery` by BM25 (`episode_docs_fts`),
 * best first, under the shortlists' filters: the main full-text ranking. What needs only the
 * ranking (the expansion, the vector feedback) starts from it while the step ranking runs.
 */
export function episodeMatches(
  shortlists: Shortlists,
  ftsQuery: string,
  limit: number,
  weights: FieldWeights,
): Promise<RankedRow[]> {
  return rankEpisodes(shortlists, docsSource(weights), ftsQuery, limit, true);
}

/**
 * `episodes` (`episodeMatches`) as candidates, each with its best-matching step when that step
 * ranks among `steps` (`stepRanking` of the same query's step words, the shortlist only: step
 * matches are evidence beside the episode's own score).
 */
export function withBestSteps(episodes: readonly RankedRow[], steps: readonly StepRow[]): TextCandidate[] {
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
 * `aside`: the shortlist is read beside the main thread's work (`Database.readAside`).
 */
export async function episodeRanking(
  shortlists: Shortlists,
  ftsQuery: string,
  limit: number,
  weights: FieldWeights,
  aside = false,
): Promise<string[]> {
  const ranked = await rankEpisodes(shortlists, docsSource(weights), ftsQuery, limit, false, aside);
  return ranked.map((row) => row.episodeId);
}
