/** The engine's timestamp format, ISO-8601 UTC with milliseconds, as an SQL expression for "now". */
export const isoNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/** Rewrites SQLite's `CURRENT_TIMESTAMP` text (`2026-01-02 03:04:05`) as ISO-8601 UTC with ms. */
export function normaliseTimestamps(table: string, column: string): string {
  return `UPDATE ${table} SET ${column} = strftime('%Y-%m-%dT%H:%M:%fZ', ${column})
    WHERE ${column} IS NOT NULL AND ${column} NOT LIKE '____-__-__T%'`;
}
