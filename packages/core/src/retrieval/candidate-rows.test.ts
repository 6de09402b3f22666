import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { Episode } from '../types.js';
import { candidateRows } from './candidate-rows.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
const ids: string[] = [];

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 6; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: i % 2 === 0 ? 'even' : 'odd',
      context: `episode ${i}`,
    });
    ids.push(episode.id);
  }
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

describe('candidate rows', () => {
  it('are read under the filters, each id once, by one statement text whatever their number', async () => {
    const texts = new Set<string>();
    const recorded: Database = {
      ...db,
      read: (statement) => {
        texts.add(typeof statement === 'string' ? statement : statement.sql);
        return db.read(statement);
      },
    };
    const known = new Map<string, Episode | null>();
    const even = new SqlFilter().when('e.domain = ?', 'even');
    await candidateRows(recorded, ids.slice(0, 2), even, known);
    await candidateRows(recorded, [...ids.slice(0, 5), 'missing'], even, known);
    expect([...known].filter(([, row]) => row !== null).map(([id]) => id)).toEqual([ids[0], ids[2], ids[4]]);
    expect(known.get(ids[1] as string)).toBeNull();
    expect(known.get('missing')).toBeNull();
    // Two counts of candidates, one statement text: prepared once per connection, not once per count.
    expect(texts.size).toBe(1);
  });
});
