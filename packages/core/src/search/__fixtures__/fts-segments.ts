import type { Client } from '@libsql/client';
import { allFtsTables } from '../../maintenance/fts-tables.js';

/**
 * How many segments an FTS5 index holds, from its structure record (rowid 10 of `%_data`): a
 * 4-byte cookie, an optional 4-byte version-2 marker (`ff 00 00 01`), then varints, the number
 * of levels first and the number of segments second.
 */
export function segmentCount(record: ArrayBuffer | Uint8Array): number {
  const bytes = new Uint8Array(record);
  let at = bytes[4] === 0xff && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 1 ? 8 : 4;
  const varint = () => {
    let value = 0;
    for (let i = 0; i < 9; i += 1) {
      const byte = bytes[at++] as number;
      if (i === 8) return value * 256 + byte;
      value = value * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) break;
    }
    return value;
  };
  varint(); // levels
  return varint();
}

/** Segments of each full-text index of the store `client` opens. */
export async function segmentCounts(client: Client): Promise<Record<(typeof allFtsTables)[number], number>> {
  const counts = {} as Record<(typeof allFtsTables)[number], number>;
  for (const table of allFtsTables) {
    const row = (await client.execute(`SELECT block FROM ${table}_data WHERE id = 10`)).rows[0];
    counts[table] = row === undefined ? 0 : segmentCount(row.block as ArrayBuffer);
  }
  return counts;
}

/** FTS5's `crisismerge` setting of each index as stored (`null`: never set, so its default, 16). */
export async function crisismerge(client: Client): Promise<(number | null)[]> {
  const values: (number | null)[] = [];
  for (const table of allFtsTables) {
    const row = (await client.execute(`SELECT v FROM ${table}_config WHERE k = 'crisismerge'`)).rows[0];
    values.push(row === undefined ? null : Number(row.v));
  }
  return values;
}
