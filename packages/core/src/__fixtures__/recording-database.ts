import type { InStatement, ResultSet } from '@libsql/client';
import type { Database } from '../db/database.js';

/**
 * `db` that also keeps every read's statement and rows in `reads` (reads aside too), for tests
 * that count what a call read.
 */
export function recordingDatabase(db: Database, reads: [string, ResultSet][]): Database {
  const recorded =
    (read: (statement: InStatement) => Promise<ResultSet>) => async (statement: InStatement) => {
      const result = await read(statement);
      reads.push([typeof statement === 'string' ? statement : statement.sql, result]);
      return result;
    };
  return { ...db, read: recorded(db.read), readAside: recorded(db.readAside) };
}
