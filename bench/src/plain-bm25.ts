import { type Client, createClient } from '@libsql/client';

/**
 * The baseline every retrieval figure is compared with: what a user would write in twenty lines.
 * One FTS5 row per document holding its whole text, the query's words OR-ed, ranked by FTS5's
 * own `bm25()`. It shares no code with `@episodic/core`, so a change there cannot move it.
 */
export interface PlainBm25 {
  add(documents: readonly { id: string; text: string }[]): Promise<void>;
  search(query: string, limit: number): Promise<string[]>;
  close(): void;
}

/** `existing`: open a baseline written before instead of creating one. */
export async function openPlainBm25(url: string, existing = false): Promise<PlainBm25> {
  const client: Client = createClient({ url });
  if (!existing) await client.execute('CREATE VIRTUAL TABLE documents USING fts5(id UNINDEXED, body)');
  return {
    async add(documents) {
      await client.batch(
        documents.map((document) => ({
          sql: 'INSERT INTO documents (id, body) VALUES (?, ?)',
          args: [document.id, document.text],
        })),
        'write',
      );
    },
    async search(query, limit) {
      const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
      if (words.length === 0) return [];
      const rows = await client.execute({
        sql: 'SELECT id FROM documents WHERE documents MATCH ? ORDER BY bm25(documents) LIMIT ?',
        args: [words.map((word) => `"${word}"`).join(' OR '), limit],
      });
      return rows.rows.map((row) => String(row.id));
    },
    close() {
      client.close();
    },
  };
}
