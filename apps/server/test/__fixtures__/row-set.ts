import { createClient } from '@libsql/client';

/**
 * Every row of every data table of a database file, as sorted text: two files hold the same
 * data exactly when their row sets are equal. Left out: the full-text shadow tables and the change
 * feed (derived: a rekey's copy writes its own), the schema history, and the audit log (a restore
 * is itself audited).
 */
export async function rowSet(path: string, encryptionKey?: string): Promise<string[]> {
  const client = createClient({ url: `file:${path}`, encryptionKey });
  try {
    const tables =
      await client.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
      AND name NOT LIKE '%_fts%' AND name NOT IN ('schema_migrations', 'audit_log', 'change_feed') ORDER BY name`);
    const rows: string[] = [];
    for (const { name } of tables.rows) {
      const result = await client.execute(`SELECT * FROM "${String(name)}"`);
      rows.push(
        ...result.rows.map(
          (row) =>
            `${String(name)} ${JSON.stringify(row, (_, value) => (value instanceof ArrayBuffer ? Buffer.from(value).toString('base64') : value))}`,
        ),
      );
    }
    return rows.sort();
  } finally {
    client.close();
  }
}
