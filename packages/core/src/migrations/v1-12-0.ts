import type { Migration } from './migration.js';

/**
 * The full-text purge that `forget` leaves to the background (`privacy/fts-purge.ts`), recorded
 * durably: `forget` bumps `requested` and sets `pending_since` in its own transaction, so a crash
 * before the purge still purges at the next open. At most one row, written by the first forget
 * (none seeded, so that `rekey`'s row-by-row copy into a freshly migrated file does not collide).
 */
export const v1_12_0: Migration = {
  version: '1.12.0',
  description: 'fts_purge: the full-text purge forget leaves pending',
  statements: [
    `CREATE TABLE fts_purge (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      requested INTEGER NOT NULL DEFAULT 0,
      pending_since TEXT,
      last_purged_at TEXT
    )`,
  ],
};
