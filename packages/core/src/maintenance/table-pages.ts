import type { ResultSet } from '@libsql/client';
import type { Database } from '../db/database.js';
import { remineShadowTables } from '../mining/remine.js';

/**
 * The tables that hold data: neither SQLite's own, nor full-text shadow tables, nor the change
 * feed (their triggers refill them; the feed's rows only say what caches of this file may hold),
 * nor a remine's shadow (left by a remine killed before its swap; the migrations that make the
 * new file do not create it, and the next remine starts over).
 */
export async function dataTables(db: Database): Promise<string[]> {
  const skipped = ['schema_migrations', 'change_feed', ...remineShadowTables];
  const rows = await db.read({
    sql: `SELECT name FROM sqlite_master WHERE type = 'table'
      AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts' AND name NOT LIKE '%_fts_%'
      AND name NOT IN (${skipped.map(() => '?').join(', ')})`,
    args: skipped,
  });
  return rows.rows.map((row) => String(row.name));
}

/** The columns a table's rows are paged by: its primary key, or the rowid when it declares none. */
export async function keyColumns(db: Database, table: string): Promise<string[]> {
  const info = await db.read(`PRAGMA table_info(${table})`);
  const key = info.rows
    .filter((row) => Number(row.pk) > 0)
    .sort((a, b) => Number(a.pk) - Number(b.pk))
    .map((row) => String(row.name));
  return key.length > 0 ? key : ['rowid'];
}

/**
 * The query for the page after the row whose key is `after` (the first page when `null`). Keyset
 * paging: each page is a search in the key's index from where the last one ended, where `OFFSET`
 * would step over every earlier row again and make a copy quadratic in the table's size.
 */
export function pageQuery(table: string, key: readonly string[], after: unknown[] | null, size: number) {
  const columns = key.join(', ');
  const select = key.includes('rowid') ? `SELECT rowid, * FROM ${table}` : `SELECT * FROM ${table}`;
  const where = after === null ? '' : ` WHERE (${columns}) > (${key.map(() => '?').join(', ')})`;
  return {
    sql: `${select}${where} ORDER BY ${columns} LIMIT ?`,
    args: [...((after ?? []) as (string | number | null)[]), size],
  };
}

/** Every row of `table`, a page at a time, in key order. */
export async function* tablePages(db: Database, table: string, size: number): AsyncGenerator<ResultSet> {
  const key = await keyColumns(db, table);
  let after: unknown[] | null = null;
  for (;;) {
    const page = await db.read(pageQuery(table, key, after, size));
    if (page.rows.length === 0) return;
    yield page;
    const last = page.rows[page.rows.length - 1];
    after = key.map((column) => last?.[column] ?? null);
  }
}
