import type { InStatement } from '@libsql/client';
import { byRank, type RankedRow, settled } from './ranked-rows.js';
import { type Shortlists, shortlistFactor } from './shortlists.js';

/** An episode's best step among the step matches. */
export interface StepRow extends RankedRow {
  stepNumber: number;
}

/** A step row's episode and step number (a JSON pair) when the episode passes the filters, else null. */
const stepOwnerSql = (rowid: string, where: string) =>
  `(SELECT json_array(e.id, s.step_number) FROM steps s CROSS JOIN episodes e ON e.id = s.episode_id
    WHERE s.rowid = ${rowid} AND (${where}))`;

/**
 * The step table's best rows for the query: the top `size + 1` as a shortlist reads them, of
 * which the first `size`. Of those, the first `mapped` are mapped to their episodes under the
 * filters and ranked per episode in SQL (each episode's best step: lowest rank, then first
 * stored), one row per episode; the rest come back unmapped (`episode_id` null) with their place
 * `n`. Arguments: the query, `size + 1`, `size`, `mapped`, the filter's, `mapped`. Exported for
 * the query-plan tests.
 */
export function stepRankingSql(where: string): string {
  return `WITH f AS (SELECT rowid, bm25(steps_fts) AS rank FROM steps_fts WHERE steps_fts MATCH ?
      ORDER BY 2 LIMIT ?),
    kept AS (SELECT rowid, rank, row_number() OVER () AS n FROM f LIMIT ?),
    ranked AS (SELECT kept.rowid, kept.rank, kept.n, e.id AS episode_id, s.step_number,
        row_number() OVER (PARTITION BY e.id ORDER BY kept.rank, kept.rowid) AS nth
      FROM kept CROSS JOIN steps s ON s.rowid = kept.rowid CROSS JOIN episodes e ON e.id = s.episode_id
      WHERE kept.n <= ? AND ${where})
    SELECT rowid, rank, n, episode_id, step_number FROM ranked WHERE nth = 1
    UNION ALL SELECT rowid, rank, n, NULL, NULL FROM kept WHERE n > ?`;
}

/** The owners (`stepOwnerSql`, '' for none) of step rows: the filter's arguments, then the rowids as a JSON array. */
export function stepOwnersSql(where: string): string {
  return `SELECT coalesce(${stepOwnerSql('j.value', where)}, '') AS owner FROM json_each(?) j ORDER BY j.key`;
}

/** A row of the step shortlist: mapped (its episode's best row so far), or only its place. */
interface StepShortlistRow {
  rowid: number;
  rank: number;
  owner: { episodeId: string; stepNumber: number } | null;
}

/** Each episode's best row (lowest rank, then lowest rowid) among `rows`, ranked. */
function bestSteps(rows: readonly StepShortlistRow[]): StepRow[] {
  const best = new Map<string, StepShortlistRow & { owner: { episodeId: string; stepNumber: number } }>();
  for (const row of rows) {
    if (row.owner === null) continue;
    const seen = best.get(row.owner.episodeId);
    if (seen === undefined || row.rank < seen.rank || (row.rank === seen.rank && row.rowid < seen.rowid))
      best.set(row.owner.episodeId, { ...row, owner: row.owner });
  }
  return [...best.values()]
    .map(({ rank, owner }) => ({ episodeId: owner.episodeId, rank, stepNumber: owner.stepNumber }))
    .sort(byRank);
}

/**
 * The `limit` episodes with the best step rows for `ftsQuery`, best first, each with its best
 * step (lowest rank, then first stored), from the step table's shortlist only (its first
 * `limit` × `shortlistFactor` rows) under the shortlists' filters. Mapping a row to its step and
 * episode (two keyed reads in large tables) costs more than scoring it, and when many episodes
 * match nearly every top row is another episode's: then only the first rows are mapped with the
 * shortlist, the rest only when those cannot settle the ranking (fewer than `limit` episodes
 * among them, or the `limit`-th no better than the first row left out). `manyEpisodes` says
 * whether `limit` episodes likely match the query (`PhraseSelection.mostDocs`): when not, every
 * row is mapped at once, as under narrowing filters (`Shortlists.mappedRows`). A wrong guess
 * costs a statement, never a different ranking. `aside`: read beside the main thread's work
 * (`Database.readAside`); the step ranking needs only the query, so in a large store it runs
 * while the main thread ranks whole episodes.
 */
export async function stepRanking(
  shortlists: Shortlists,
  ftsQuery: string,
  limit: number,
  manyEpisodes: boolean,
  aside = false,
): Promise<StepRow[]> {
  const size = limit * shortlistFactor;
  const { db, where } = shortlists;
  const read = (statement: InStatement) => (aside ? db.readAside(statement) : db.read(statement));
  const mapped = manyEpisodes ? shortlists.mappedRows(size) : size;
  const top = await read({
    sql: stepRankingSql(where.sql),
    args: [ftsQuery, size + 1, size, mapped, ...where.args, mapped],
  });
  const first: StepShortlistRow[] = [];
  const rest: (StepShortlistRow & { n: number })[] = [];
  for (const row of top.rows) {
    const { rowid, rank, n } = { rowid: Number(row.rowid), rank: Number(row.rank), n: Number(row.n) };
    if (row.episode_id !== null)
      first.push({
        rowid,
        rank,
        owner: { episodeId: String(row.episode_id), stepNumber: Number(row.step_number) },
      });
    else rest.push({ rowid, rank, n, owner: null });
  }
  const ranked = bestSteps(first);
  rest.sort((a, b) => a.n - b.n);
  if (settled(ranked, limit, rest[0])) return ranked.slice(0, limit);
  const owners = await read({
    sql: stepOwnersSql(where.sql),
    args: [...where.args, JSON.stringify(rest.map((row) => row.rowid))],
  });
  rest.forEach((row, index) => {
    const owner = owners.rows[index]?.owner;
    if (typeof owner !== 'string' || owner === '') return;
    const [episodeId, stepNumber] = JSON.parse(owner) as [string, number];
    row.owner = { episodeId, stepNumber: Number(stepNumber) };
  });
  return bestSteps([...first, ...rest]).slice(0, limit);
}
