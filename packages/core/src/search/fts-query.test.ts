import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { toFtsQuery } from './fts-query.js';

const hostile = [
  '"',
  '""',
  'unbalanced "quote',
  'AND',
  'OR NOT',
  'a AND OR b',
  'NEAR(a b, 2)',
  'NEAR',
  '*',
  'prefix*',
  '-',
  '-negated term',
  '^start',
  'col:value',
  '(((',
  ')',
  '{a b}',
  "it's",
  '🙂',
  '🙂🔥 🚀',
  '',
  '   ',
  '\u0000',
  'ünïcödé 日本語 テスト',
  "'; DROP TABLE episodes; --",
  'x'.repeat(5000),
];

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeAll(async () => {
  store = await openTempMemory();
});
afterAll(() => store.close());

describe('full-text queries from user text', () => {
  it.each(hostile)('never raises an FTS error for %j', async (text) => {
    await expect(store.memory.search.text({ text })).resolves.toBeInstanceOf(Array);
  });

  it('searches operator words and punctuation as text', async () => {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: 'AND OR NEAR are words here, as is "quoted" text and (parens)',
    });
    await store.memory.episodes.logStep(episode.id, {
      action: 'get_user_details',
      result: 'Error: ENOENT src/index.ts',
    });
    for (const text of ['AND', 'NEAR', '"quoted"', '(parens)', 'OR*', '-quoted']) {
      const hits = await store.memory.search.text({ text });
      expect(
        hits.map((hit) => hit.episode.id),
        text,
      ).toEqual([episode.id]);
    }
    // an identifier and a path match as phrases, and their words one by one
    expect((await store.memory.search.text({ text: 'get_user_details' }))[0]?.matches[0]).toMatchObject({
      source: 'step',
      stepNumber: 1,
    });
    expect(await store.memory.search.text({ text: 'src/index.ts' })).toHaveLength(1);
    expect(toFtsQuery('src/index.ts')).toBe('"src index ts" OR "src" OR "index" OR "ts"');
  });

  it('folds case and ends a phrase at an apostrophe', () => {
    expect(toFtsQuery("The the THE Fitbit's")).toBe('"The" OR "Fitbit" OR "s"');
  });

  it('has nothing to search in emoji-only or empty text', () => {
    expect(toFtsQuery('')).toBeNull();
    expect(toFtsQuery('🙂 🔥')).toBeNull();
    expect(toFtsQuery('"a" b')).toBe('"a" OR "b"');
  });
});
