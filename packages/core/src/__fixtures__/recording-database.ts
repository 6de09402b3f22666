import type { InStatement, ResultSet } from '@libsql/client';
import type { Database } from '../db/database.js';

/** `db` that also keeps every read's statement and rows in `reads`, for tests that count what a call read. */
export function recordingDatabase(db: Database, reads: [string, ResultSet][]): Database {
  return {
    ...db,
    read: async (statement: InStatement) => {
      const result = await db.read(statement);
      reads.push([typeof statement === 'string' ? statement : statement.sql, result]);
      return result;
    },
  };
}
