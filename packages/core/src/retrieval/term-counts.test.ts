import type { InStatement } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { ftsPhrases } from '../search/fts-query.js';
import { expansionTerms } from './expansion-terms.js';
import { selectPhrases } from './select-phrases.js';
import { TermCounts } from './term-counts.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
/** Every statement read through `db`, in order. */
const statements: string[] = [];
const vocabularyReads = () => statements.filter((sql) => sql.includes('_vocab')).length;

async function record(context: string, result: string): Promise<string> {
  const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'ops', context });
  await store.memory.episodes.logSteps(episode.id, [{ action: 'inspect', result }]);
  return episode.id;
}

/** What FTS5's vocabulary says now, one statement per term, as retrieve read it before `TermCounts`. */
async function direct(table: 'episode_docs_fts' | 'steps_fts', term: string): Promise<number> {
  const result = await db.read({ sql: `SELECT doc FROM ${table}_vocab WHERE term = ?`, args: [term] });
  return Number(result.rows[0]?.doc ?? 0);
}

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 6; i += 1) await record(`kafka consumer lag ${i}`, `rebalance storm on partition ${i}`);
  await record('disk quota exceeded', 'rebalance unrelated');
  const inner = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
  const text = (statement: InStatement) => (typeof statement === 'string' ? statement : statement.sql);
  db = {
    ...inner,
    read: (statement) => {
      statements.push(text(statement));
      return inner.read(statement);
    },
    readBatch: (batch) => {
      statements.push(...batch.map(text));
      return inner.readBatch(batch);
    },
  };
});

afterAll(async () => {
  await db.close();
  await store.close();
});

describe('term counts', () => {
  it("are FTS5's, read in one statement whatever the number of words, and not again while the indexes are unchanged", async () => {
    const counts = new TermCounts(db);
    const phrases = ftsPhrases('kafka rebalance partition storm quota nowhere');
    statements.length = 0;
    const first = await selectPhrases(counts, phrases, 5_000, 64);
    expect(vocabularyReads()).toBe(1);
    statements.length = 0;
    expect(await selectPhrases(counts, phrases, 5_000, 64)).toEqual(first);
    expect(vocabularyReads()).toBe(0);

    const terms = ['kafka', 'rebalance', 'partition', 'quota', 'nowhere'];
    const both = await counts.both(terms);
    expect(both.docs).toEqual(await Promise.all(terms.map((term) => direct('episode_docs_fts', term))));
    expect(both.steps).toEqual(await Promise.all(terms.map((term) => direct('steps_fts', term))));
    expect(both).toMatchObject({ docs: [6, 7, 6, 1, 0], stepRows: 7 });
  });

  it('are read again after any write to the full-text indexes, from this process or another', async () => {
    const counts = new TermCounts(db);
    expect(await counts.docs(['quota', 'kafka'])).toEqual([1, 6]);
    const added = await record('disk quota exceeded again', 'quota raised');
    statements.length = 0;
    expect(await counts.docs(['quota', 'kafka'])).toEqual([2, 6]);
    expect(vocabularyReads()).toBe(1);
    expect(await counts.both(['quota'])).toMatchObject({ docs: [2], steps: [1], stepRows: 8 });

    await store.memory.admin.forget({ episodeIds: [added] });
    expect(await counts.docs(['quota', 'kafka'])).toEqual([1, 6]);
    expect(await counts.both(['quota'])).toMatchObject({ docs: [1], steps: [0], stepRows: 7 });
  });

  it("give the expansion's words from one vocabulary statement, and none on a repeat", async () => {
    const counts = new TermCounts(db);
    const [seed] = (await db.read("SELECT id FROM episodes WHERE context = 'kafka consumer lag 0'")).rows;
    const own = new Set(['kafka']);
    statements.length = 0;
    const words = await expansionTerms(counts, [String(seed?.id)], own, 5, 5_000);
    expect(words).toContain('consumer');
    expect(vocabularyReads()).toBe(1);
    statements.length = 0;
    expect(await expansionTerms(counts, [String(seed?.id)], own, 5, 5_000)).toEqual(words);
    expect(vocabularyReads()).toBe(0);
  });

  it("take the expansion's best words only while the documents holding them fit the row budget", async () => {
    const counts = new TermCounts(db);
    const [seed] = (await db.read("SELECT id FROM episodes WHERE context = 'kafka consumer lag 0'")).rows;
    const own = new Set(['kafka']);
    const unbounded = await expansionTerms(counts, [String(seed?.id)], own, 5, 5_000);
    expect(unbounded).toHaveLength(5);
    // Every word of the seed but "0" is in six or seven of the seven documents: 13 rows hold two.
    const bounded = await expansionTerms(counts, [String(seed?.id)], own, 5, 13);
    expect(bounded).toEqual(unbounded.slice(0, 2));
    const rows = await counts.docs(bounded);
    expect(rows.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(13);
  });

  it('count plain words by their matches, and any other term as the vocabulary spells it', async () => {
    await record('Café in Zürich 2024', 'espresso x2');
    const counts = new TermCounts(db);
    // "café" is not how FTS5 stores it ("cafe"): a phrase match would find it, the vocabulary does not.
    const terms = ['cafe', 'café', 'zurich', 'zürich', '2024', 'x2', 'espresso', 'nowhere'];
    const both = await counts.both(terms);
    expect(both.docs).toEqual([1, 0, 1, 0, 1, 1, 1, 0]);
    expect(both.docs).toEqual(await Promise.all(terms.map((term) => direct('episode_docs_fts', term))));
    expect(both.steps).toEqual(await Promise.all(terms.map((term) => direct('steps_fts', term))));
    expect(await counts.docs(terms)).toEqual(both.docs);
  });
});
