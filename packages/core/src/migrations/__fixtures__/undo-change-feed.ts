import type { Client } from '@libsql/client';

/**
 * Takes a store back to before 1.19.0 (no change feed; 1.19.0 and the later versions not recorded),
 * as a test of an earlier migration needs. The later migrations are applied again on the next open:
 * 1.20.0 finds no id in capitals, the tables and column of 1.21.0, 1.22.0, 1.23.0 and 1.25.0 are
 * dropped here, and 1.24.0 replaces a trigger again.
 */
export async function undoChangeFeed(raw: Client): Promise<void> {
  const triggers = await raw.execute(
    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%INSERT INTO change_feed%'",
  );
  await raw.batch([
    ...triggers.rows.map((row) => `DROP TRIGGER ${String(row.name)}`),
    'DROP TABLE change_feed',
    'DROP TABLE learner_processes',
    'DROP TABLE learners',
    'ALTER TABLE episodes DROP COLUMN outcome',
    "DELETE FROM schema_migrations WHERE version IN ('1.19.0', '1.20.0', '1.21.0', '1.22.0', '1.23.0', '1.24.0', '1.25.0', '1.26.0')",
  ]);
}
