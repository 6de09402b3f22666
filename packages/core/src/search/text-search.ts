import { episodeFilter } from '../db/episode-filter.js';
import { episodeColumns, toEpisode } from '../db/rows.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { readsAside, selectPhrases } from '../retrieval/select-phrases.js';
import type { TermCounts } from '../retrieval/term-counts.js';
import type { SearchTextInput } from '../schemas/input-schemas.js';
import type { CallOptions, Episode } from '../types.js';
import { parseInput } from '../validate.js';
import { ftsPhrases, phrasesToFtsQuery } from './fts-query.js';

/** Where a full-text hit was found, with the matching words marked «like this». */
export interface TextMatch {
  source: 'episode' | 'step';
  /** The step's number when `source` is `step`. */
  stepNumber: number | null;
  snippet: string;
  /** BM25 relevance of this match, higher is better. */
  score: number;
}

export interface TextSearchHit {
  episode: Episode;
  /** The best BM25 relevance among the episode's matches, higher is better. */
  score: number;
  /** Up to three best matches, best first. */
  matches: TextMatch[];
}

const matchesPerEpisode = 3;
const snippet = (table: string) => `snippet(${table}, -1, '«', '»', '…', 16)`;

/**
 * Each episode's best BM25 match under the filters (`where` on alias `e`). CROSS JOIN keeps the
 * full-text tables first: starting from an episode index and probing FTS5 once per episode
 * took seconds on a few hundred episodes.
 */
export function bestMatchSql(where: string): string {
  return `WITH hits AS (
            SELECT e.id AS episode_id, bm25(episodes_fts) AS rank
            FROM episodes_fts CROSS JOIN episodes e ON e.rowid = episodes_fts.rowid
            WHERE episodes_fts MATCH ? AND ${where}
            UNION ALL
            SELECT e.id, bm25(steps_fts)
            FROM steps_fts CROSS JOIN steps s ON s.rowid = steps_fts.rowid
            CROSS JOIN episodes e ON e.id = s.episode_id
            WHERE steps_fts MATCH ? AND ${where}
          )
          SELECT episode_id, MIN(rank) AS best FROM hits
          GROUP BY episode_id ORDER BY best, episode_id LIMIT ?`;
}

export function createTextSearch(context: EngineContext, termCounts: TermCounts) {
  const { db, schemas, config } = context;

  return {
    /**
     * BM25 full-text search over episodes (task type, domain, context) and their steps (action,
     * result), one hit per episode ranked by its best match. Filters and the access scope are
     * applied in the same SQL statement as the match. The words searched are chosen as `retrieve`
     * chooses them (rarest first, within `retrieval.textBudgetRows` and `maxQueryTerms`): FTS5
     * scores every row a word matches on the thread that serves every request, and a traceback's
     * thousands of words took minutes on a large store.
     */
    async searchText(input: SearchTextInput, options: CallOptions = {}): Promise<TextSearchHit[]> {
      const filters = parseInput(schemas.searchText, input, 'search');
      const phrases = ftsPhrases(filters.text);
      if (phrases.length === 0) return [];
      const { textBudgetRows, maxQueryTerms } = config.retrieval;
      const selection = await selectPhrases(termCounts, phrases, textBudgetRows, maxQueryTerms);
      const query = phrasesToFtsQuery(selection.kept);
      if (query === null) return [];
      // In a large store each statement through the matches takes a while: on the read worker it
      // leaves this thread, which serves every other request, free meanwhile.
      const read = readsAside(selection) ? db.readAside : db.read;
      const where = episodeFilter(filters, 'e').scope('e.domain', options.scope);
      const top = await read({
        sql: bestMatchSql(where.sql),
        args: [query, ...where.args, query, ...where.args, filters.limit],
      });
      const ids = top.rows.map((row) => String(row.episode_id));
      if (ids.length === 0) return [];
      const inIds = ids.map(() => '?').join(', ');
      // Each its own snapshot: an episode deleted or changed between them is left out below, or
      // shown with the matches of its text as it was. The scope again: an id forgotten meanwhile
      // may be taken by another domain's new episode.
      const inScope = new SqlFilter().scope('domain', options.scope);
      const [episodeRows, episodeMatches, stepMatches] = await Promise.all([
        db.read({
          sql: `SELECT ${episodeColumns} FROM episodes WHERE id IN (${inIds}) AND ${inScope.sql}`,
          args: [...ids, ...inScope.args],
        }),
        read({
          sql: `SELECT e.id AS episode_id, NULL AS step_number, ${snippet('episodes_fts')} AS snippet,
                  bm25(episodes_fts) AS rank
                FROM episodes_fts CROSS JOIN episodes e ON e.rowid = episodes_fts.rowid
                WHERE episodes_fts MATCH ? AND e.id IN (${inIds})`,
          args: [query, ...ids],
        }),
        read({
          sql: `SELECT s.episode_id, s.step_number, ${snippet('steps_fts')} AS snippet, bm25(steps_fts) AS rank
                FROM steps_fts CROSS JOIN steps s ON s.rowid = steps_fts.rowid
                WHERE steps_fts MATCH ? AND s.episode_id IN (${inIds})
                ORDER BY rank`,
          args: [query, ...ids],
        }),
      ]);
      const episodes = new Map((episodeRows?.rows ?? []).map((row) => [String(row.id), toEpisode(row)]));
      const matches = new Map<string, TextMatch[]>();
      for (const row of [...(episodeMatches?.rows ?? []), ...(stepMatches?.rows ?? [])]) {
        const list = matches.get(String(row.episode_id)) ?? [];
        list.push({
          source: row.step_number === null ? 'episode' : 'step',
          stepNumber: row.step_number === null ? null : Number(row.step_number),
          snippet: String(row.snippet),
          score: -Number(row.rank),
        });
        matches.set(String(row.episode_id), list);
      }
      return top.rows.flatMap((row) => {
        const episode = episodes.get(String(row.episode_id));
        if (episode === undefined) return []; // deleted between the two reads
        const found = (matches.get(episode.id) ?? []).sort((a, b) => b.score - a.score);
        return [{ episode, score: -Number(row.best), matches: found.slice(0, matchesPerEpisode) }];
      });
    },
  };
}
