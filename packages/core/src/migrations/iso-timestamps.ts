/** The engine's timestamp format, ISO-8601 UTC with milliseconds, as an SQL expression for "now". */
export const isoNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/** Rewrites SQLite's `CURRENT_TIMESTAMP` text (`2026-01-02 03:04:05`) as ISO-8601 UTC with ms. */
function normaliseTimestamps(table: string, column: string): string {
  return `UPDATE ${table} SET ${column} = strftime('%Y-%m-%dT%H:%M:%fZ', ${column})
    WHERE ${column} IS NOT NULL AND ${column} NOT LIKE '____-__-__T%'`;
}

/** The seed's timestamp columns, which held `CURRENT_TIMESTAMP` text before 1.2.0 (and defaults before 1.10.0). */
const seedTimestampColumns = [
  ['episodes', 'created_at'],
  ['episodes', 'completed_at'],
  ['steps', 'timestamp'],
  ['patterns', 'created_at'],
  ['patterns', 'last_used'],
  ['embeddings', 'created_at'],
] as const;

/** Rewrites every seed timestamp column's `CURRENT_TIMESTAMP` text as ISO-8601. */
export function normaliseSeedTimestamps(): string[] {
  return seedTimestampColumns.map(([table, column]) => normaliseTimestamps(table, column));
}
