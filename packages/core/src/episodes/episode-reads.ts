import { episodeFilter } from '../db/episode-filter.js';
import { decodeCursor, encodeCursor } from '../db/page-cursor.js';
import { episodeColumns, stepColumns, toEpisode, toStep } from '../db/rows.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import type { ListEpisodesInput } from '../schemas/input-schemas.js';
import type { CallOptions, Episode, EpisodeWithSteps, Page } from '../types.js';
import { parseInput } from '../validate.js';

export function createEpisodeReads(context: EngineContext) {
  const { db, schemas } = context;

  return {
    /** The episode with its steps in order, or `null` when it does not exist or is out of scope. */
    async getEpisode(episodeId: string, options: CallOptions = {}): Promise<EpisodeWithSteps | null> {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      const filter = new SqlFilter().when('id = ?', id).scope('domain', options.scope);
      // One snapshot for both, so the steps always belong to the episode row we return.
      const [episodes, steps] = await db.readBatch([
        { sql: `SELECT ${episodeColumns} FROM episodes WHERE ${filter.sql}`, args: filter.args },
        {
          sql: `SELECT ${stepColumns} FROM steps WHERE episode_id = ?
                AND EXISTS (SELECT 1 FROM episodes WHERE ${filter.sql})
                ORDER BY step_number`,
          args: [id, ...filter.args],
        },
      ]);
      const row = episodes?.rows[0];
      if (row === undefined) return null;
      return { ...toEpisode(row), steps: (steps?.rows ?? []).map(toStep) };
    },

    /** The seed's "episodes by domain and time" query: newest first, one page at a time. */
    async listEpisodes(input: ListEpisodesInput = {}, options: CallOptions = {}): Promise<Page<Episode>> {
      const filters = parseInput(schemas.listEpisodes, input, 'list filters');
      const after =
        filters.cursor === undefined
          ? undefined
          : decodeCursor(filters.cursor, ['string', 'string'], 'listEpisodes');
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
