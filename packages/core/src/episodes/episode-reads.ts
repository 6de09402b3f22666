import { episodeFilter } from '../db/episode-filter.js';
import { decodeCursor, encodeCursor } from '../db/page-cursor.js';
import { episodeColumns, toEpisode } from '../db/rows.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { EpisodicError } from '../errors.js';
import type { ListEpisodesInput, ListStepsInput } from '../schemas/input-schemas.js';
import type { CallOptions, Episode, EpisodeWithSteps, Page, Step } from '../types.js';
import { parseInput } from '../validate.js';
import { fillStepPage, firstRows, stepRowsStatement } from './step-pages.js';

export function createEpisodeReads(context: EngineContext) {
  const { db, schemas, config } = context;
  const { maxPageSize, maxStepCharsPerPage } = config.limits;

  /**
   * The episode row, its step count and the first rows of a page after `after`, in one snapshot;
   * the page is then filled up to the last step of that snapshot, so `stepCount` and the steps
   * returned always agree however many steps are appended meanwhile.
   */
  async function readPage(episodeId: string, after: number, limit: number, options: CallOptions) {
    const scope = new SqlFilter().when('id = ?', episodeId).scope('domain', options.scope);
    const [episodes, counts, rows] = await db.readBatch([
      { sql: `SELECT ${episodeColumns} FROM episodes WHERE ${scope.sql}`, args: scope.args },
      {
        sql: 'SELECT count(*) AS steps, ifnull(max(step_number), 0) AS last FROM steps WHERE episode_id = ?',
        args: [episodeId],
      },
      stepRowsStatement(episodeId, scope, after, Number.MAX_SAFE_INTEGER, firstRows(limit)),
    ]);
    const row = episodes?.rows[0];
    if (row === undefined) return null;
    const through = Number(counts?.rows[0]?.last ?? 0);
    const page = await fillStepPage(
      db,
      episodeId,
      scope,
      { after, through, limit, maxChars: maxStepCharsPerPage },
      rows?.rows ?? [],
    );
    return { episode: toEpisode(row), stepCount: Number(counts?.rows[0]?.steps ?? 0), page };
  }

  return {
    /**
     * The episode with its first page of steps, or `null` when it does not exist or is out of
     * scope. An episode of more than `maxPageSize` steps, or of more text than
     * `maxStepCharsPerPage`, is answered in part: `nextStepsCursor` reads on with `listSteps`.
     */
    async getEpisode(episodeId: string, options: CallOptions = {}): Promise<EpisodeWithSteps | null> {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      const read = await readPage(id, 0, maxPageSize, options);
      if (read === null) return null;
      return {
        ...read.episode,
        steps: read.page.steps,
        stepCount: read.stepCount,
        nextStepsCursor: read.page.nextCursor,
      };
    },

    /**
     * An episode's steps in order, one page at a time, with the episode's domain (for the audit
     * log); `null` when the episode does not exist or is out of scope.
     */
    async listSteps(
      episodeId: string,
      input: ListStepsInput = {},
      options: CallOptions = {},
    ): Promise<(Page<Step> & { domain: string }) | null> {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      const filters = parseInput(schemas.listSteps, input, 'step page');
      if (filters.cursor !== undefined && filters.fromStep !== undefined) {
        const message = 'give either cursor or fromStep: a cursor already says where the page starts';
        throw new EpisodicError('VALIDATION', `Invalid step page: fromStep: ${message}`, {
          issues: [{ path: 'fromStep', message }],
        });
      }
      const after =
        filters.cursor !== undefined
          ? decodeCursor(filters.cursor, ['count'], 'episodes.steps')[0]
          : (filters.fromStep ?? 1) - 1;
      const read = await readPage(id, after, filters.limit, options);
      if (read === null) return null;
      return { items: read.page.steps, nextCursor: read.page.nextCursor, domain: read.episode.domain };
    },

    /** The seed's "episodes by domain and time" query: newest first, one page at a time. */
    async listEpisodes(input: ListEpisodesInput = {}, options: CallOptions = {}): Promise<Page<Episode>> {
      const filters = parseInput(schemas.listEpisodes, input, 'list filters');
      const after =
        filters.cursor === undefined
          ? undefined
          : decodeCursor(filters.cursor, ['string', 'string'], 'episodes.list');
      const where = episodeFilter(filters)
        .when('(created_at < ? OR (created_at = ? AND id < ?))', after?.[0], after?.[0], after?.[1])
        .scope('domain', options.scope);
      const rows = await db.read({
        sql: `SELECT ${episodeColumns} FROM episodes WHERE ${where.sql}
              ORDER BY created_at DESC, id DESC LIMIT ?`,
        args: [...where.args, filters.limit + 1],
      });
      const items = rows.rows.slice(0, filters.limit).map(toEpisode);
      const last = items.at(-1);
      const more = rows.rows.length > filters.limit && last !== undefined;
      return { items, nextCursor: more ? encodeCursor([last.createdAt, last.id]) : null };
    },
  };
}
