import { decodeCursor, encodeCursor } from '../db/page-cursor.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import type { ListPatternsInput } from '../schemas/input-schemas.js';
import type { CallOptions, Page } from '../types.js';
import { parseInput } from '../validate.js';
import { type MinedPattern, minedPatternColumns, patternIdSchema, toMinedPattern } from './pattern-row.js';

export function createPatternReads(context: EngineContext) {
  const { db, schemas } = context;

  return {
    /**
     * The seed's pattern query: by type, at or above a success rate, best first, one page at a
     * time (pass `nextCursor` back as `cursor` for the next one).
     */
    async listPatterns(
      input: ListPatternsInput = {},
      options: CallOptions = {},
    ): Promise<Page<MinedPattern>> {
      const filters = parseInput(schemas.listPatterns, input, 'pattern filters');
      const after =
        filters.cursor === undefined
          ? undefined
          : decodeCursor(filters.cursor, ['number', 'string'], 'patterns.list');
      const where = new SqlFilter()
        .when('pattern_type = ?', filters.type)
        .when('domain = ?', filters.domain)
        .when('success_rate >= ?', filters.minSuccessRate)
        .when('(success_rate < ? OR (success_rate = ? AND id > ?))', after?.[0], after?.[0], after?.[1])
        .scope('domain', options.scope);
      const rows = await db.read({
        sql: `SELECT ${minedPatternColumns} FROM patterns WHERE ${where.sql}
              ORDER BY success_rate DESC, id LIMIT ?`,
        args: [...where.args, filters.limit + 1],
      });
      const items = rows.rows.slice(0, filters.limit).map(toMinedPattern);
      const last = items.at(-1);
      const more = rows.rows.length > filters.limit && last !== undefined;
      return { items, nextCursor: more ? encodeCursor([last.successRate, last.id]) : null };
    },

    async getPattern(patternId: string, options: CallOptions = {}): Promise<MinedPattern | null> {
      const id = parseInput(patternIdSchema, patternId, 'pattern id', 'patternId');
      const where = new SqlFilter().when('id = ?', id).scope('domain', options.scope);
      const rows = await db.read({
        sql: `SELECT ${minedPatternColumns} FROM patterns WHERE ${where.sql}`,
        args: where.args,
      });
      const row = rows.rows[0];
      return row === undefined ? null : toMinedPattern(row);
    },
  };
}
