import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import type { ListPatternsInput } from '../schemas/input-schemas.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import { type MinedPattern, minedPatternColumns, patternIdSchema, toMinedPattern } from './pattern-row.js';

export function createPatternReads(context: EngineContext) {
  const { db, schemas } = context;

  return {
    /** The seed's pattern query: by type, at or above a success rate, best first. */
    async listPatterns(input: ListPatternsInput = {}, options: CallOptions = {}): Promise<MinedPattern[]> {
      const filters = parseInput(schemas.listPatterns, input, 'pattern filters');
      const where = new SqlFilter()
        .when('pattern_type = ?', filters.type)
        .when('domain = ?', filters.domain)
        .when('success_rate >= ?', filters.minSuccessRate)
        .scope('domain', options.scope);
      const rows = await db.read({
        sql: `SELECT ${minedPatternColumns} FROM patterns WHERE ${where.sql}
              ORDER BY success_rate DESC, id LIMIT ?`,
        args: [...where.args, filters.limit],
      });
      return rows.rows.map(toMinedPattern);
    },

    async getPattern(patternId: string, options: CallOptions = {}): Promise<MinedPattern | null> {
      const id = parseInput(patternIdSchema, patternId, 'pattern id');
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
