import type { InValue, Row } from '@libsql/client';
import type { Database } from '../db/database.js';
import { encodeCursor } from '../db/page-cursor.js';
import { stepColumns, toStep } from '../db/rows.js';
import type { Step } from '../types.js';

/**
 * Rows read per query while a page fills. A step holds at most `maxActionChars +
 * maxResultChars + maxMetadataChars` (84 K characters by default), so one query reads at most
 * ~5 M characters however large the steps, and an episode of fewer steps is one query, as before.
 */
const rowsPerQuery = 64;

/** A step's stored text, in characters: what a page's size is measured in. */
const charsColumn = 'length(action) + ifnull(length(result), 0) + ifnull(length(metadata), 0) AS chars';

/** Where a page of steps starts and what bounds it. */
export interface StepPageBounds {
  /** Steps after this number (0 for the first page). */
  after: number;
  /** Steps up to this number only: the last step of the snapshot the episode was read in. */
  through: number;
  /** At most this many steps. */
  limit: number;
  /** Stop before the step that would take the page's text past this many characters (one step always fits). */
  maxChars: number;
}

/** The statement reading the next rows of a page; `scope` is the episode's scope condition. */
export function stepRowsStatement(
  episodeId: string,
  scope: { sql: string; args: InValue[] },
  after: number,
  through: number,
  rows: number,
) {
  return {
    sql: `SELECT ${stepColumns}, ${charsColumn} FROM steps
          WHERE episode_id = ? AND step_number > ? AND step_number <= ?
            AND EXISTS (SELECT 1 FROM episodes WHERE ${scope.sql})
          ORDER BY step_number LIMIT ?`,
    args: [episodeId, after, through, ...scope.args, rows],
  };
}

/** Rows to ask for at first: one more than a page's steps, when that is fewer than a query's worth. */
export const firstRows = (limit: number) => Math.min(limit + 1, rowsPerQuery);

/**
 * Fills one page of an episode's steps in step order, starting from `firstRows` already read
 * (`stepRowsStatement`), reading on in bounded queries while the page has room. The page ends at
 * `limit` steps or before the text budget would be exceeded; `nextCursor` is set exactly when a
 * step within `through` was left for the next page.
 */
export async function fillStepPage(
  db: Database,
  episodeId: string,
  scope: { sql: string; args: InValue[] },
  bounds: StepPageBounds,
  firstRowsRead: readonly Row[],
): Promise<{ steps: Step[]; nextCursor: string | null }> {
  const steps: Step[] = [];
  let chars = 0;
  let rows = firstRowsRead;
  let asked = firstRows(bounds.limit);
  let last = bounds.after;
  for (;;) {
    for (const row of rows) {
      const size = Number(row.chars);
      const full = steps.length === bounds.limit || (steps.length > 0 && chars + size > bounds.maxChars);
      if (full) return { steps, nextCursor: encodeCursor([last]) };
      steps.push(toStep(row));
      chars += size;
      last = Number(row.step_number);
    }
    // Fewer rows than asked for: the snapshot's steps are all read.
    if (rows.length < asked) return { steps, nextCursor: null };
    asked = Math.min(bounds.limit + 1 - steps.length, rowsPerQuery);
    rows = (await db.read(stepRowsStatement(episodeId, scope, last, bounds.through, asked))).rows;
  }
}
