import type { Row } from '@libsql/client';

/**
 * The state of both full-text indexes: each one's totals (rowid 1 of `%_data`: rows and tokens)
 * and segment list (rowid 10: every write adds a segment, every delete changes the totals). Same
 * state, same document counts; a merge changes it too, which only costs a re-read.
 */
export const stateSql = `SELECT (SELECT block FROM episode_docs_fts_data WHERE id = 1) AS a,
  (SELECT block FROM episode_docs_fts_data WHERE id = 10) AS b,
  (SELECT block FROM steps_fts_data WHERE id = 1) AS c,
  (SELECT block FROM steps_fts_data WHERE id = 10) AS d`;

/** A SQLite varint (as FTS5 writes them): 7 bits a byte, high bit set while more follow. */
function readVarint(bytes: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < Math.min(bytes.length, 8); i += 1) {
    const byte = bytes[i] as number;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return value;
  }
  return value;
}

const bytesOf = (value: unknown): Uint8Array =>
  value instanceof ArrayBuffer || value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array();

/** The key of the state in `row` (`stateSql`'s four blocks), and the rows in `steps_fts`. */
export function stateOf(row: Row | undefined): { key: string; stepRows: number } {
  const blocks = ['a', 'b', 'c', 'd'].map((column) => bytesOf(row?.[column]));
  return {
    key: blocks.map((block) => Buffer.from(block).toString('base64')).join(' '),
    stepRows: readVarint(blocks[2] as Uint8Array),
  };
}
