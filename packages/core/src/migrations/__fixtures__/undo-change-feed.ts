import type { Client } from '@libsql/client';

/** Takes a store back to before 1.19.0 (no change feed, 1.19.0 not recorded), as a test of an earlier migration needs. */
export async function undoChangeFeed(raw: Client): Promise<void> {
  const triggers = await raw.execute(
    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%INSERT INTO change_feed%'",
  );
  await raw.batch([
    ...triggers.rows.map((row) => `DROP TRIGGER ${String(row.name)}`),
    'DROP TABLE change_feed',
    "DELETE FROM schema_migrations WHERE version = '1.19.0'",
  ]);
}
