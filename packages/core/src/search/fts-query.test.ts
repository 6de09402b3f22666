import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { ftsPhrases, toFtsQuery } from './fts-query.js';

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

/** Stores an episode of `domain` with `context` and one step; its id. */
async function storeEpisode(
  domain: string,
  context: string,
  step: { action: string; result: string; success?: boolean },
) {
  const episode = await store.memory.episodes.start({ taskType: 'debugging', domain, context });
  await store.memory.episodes.logStep(episode.id, step);
  return episode.id;
}

describe('full-text queries from user text', () => {
  it.each(hostile)('never raises an FTS error for %j', async (text) => {
    await expect(store.memory.search.text({ text })).resolves.toBeInstanceOf(Array);
  });

  it('searches operator words and punctuation as text', async () => {
    const id = await storeEpisode('web', 'AND OR NEAR are words here, as is "quoted" text and (parens)', {
      action: 'get_user_details',
      result: 'Error: ENOENT src/index.ts',
    });
    for (const text of ['AND', 'NEAR', '"quoted"', '(parens)', 'OR*', '-quoted']) {
      const hits = await store.memory.search.text({ text });
      expect(
        hits.map((hit) => hit.episode.id),
        text,
      ).toEqual([id]);
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

  it('searches every word of a long text, however many distinct words come before it', async () => {
    const id = await storeEpisode('web', 'worker crashed', {
      action: 'python -m worker',
      result: "ModuleNotFoundError: No module named 'requests'",
      success: false,
    });
    // A traceback as Python prints it, the exception last: each path is a phrase and one per part.
    const frames = Array.from(
      { length: 300 },
      (_, i) => `  File "/srv/app/pkg_${i}/handler_${i}.py", line ${i + 1000}, in run_${i}`,
    );
    const text = `Traceback (most recent call last):\n${frames.join('\n')}\nModuleNotFoundError: No module named 'requests'`;
    const hits = await store.memory.search.text({ text });
    expect(hits.map((hit) => hit.episode.id)).toContain(id);
    const retrieved = await store.memory.search.retrieve({ text, patterns: 0 });
    expect(retrieved.episodes.find((hit) => hit.episode.id === id)?.why.text).toMatchObject({
      rank: 1,
    });
    // More distinct phrases than `ftsPhrases` once kept: the exception line came after its cut.
    expect(ftsPhrases(text).length).toBeGreaterThan(1_000);
  });

  it('finds text stored with full-width, half-width or ligature characters by the same string', async () => {
    const stored = [
      'ポート８０８０で接続エラー',
      'ｴﾗｰ: ﾀｲﾑｱｳﾄ',
      'ＥＣＯＮＮＲＥＦＵＳＥＤ on db',
      'config ﬁle missing',
    ];
    const ids = new Map<string, string>();
    for (const context of [...stored, 'ECONNREFUSED on cache, config file missing']) {
      ids.set(
        context,
        await storeEpisode('jp', context, { action: 'npm start', result: context, success: false }),
      );
    }
    const found = async (text: string) =>
      (await store.memory.search.text({ text, domain: 'jp' })).map((hit) => hit.episode.id);
    for (const context of stored) expect(await found(context), context).toContain(ids.get(context));
    // A full-width word finds both spellings; a word NFKC leaves alone searches exactly as before.
    expect(await found('ＥＣＯＮＮＲＥＦＵＳＥＤ')).toHaveLength(2);
    expect(toFtsQuery('ＥＣＯＮＮ ｴﾗｰ ECONN')).toBe('"ECONN" OR "ＥＣＯＮＮ" OR "エラー" OR "ｴﾗｰ"');
    const retrieved = await store.memory.search.retrieve({ text: 'ｴﾗｰ: ﾀｲﾑｱｳﾄ', domain: 'jp', patterns: 0 });
    expect(retrieved.episodes[0]?.episode.id).toBe(ids.get('ｴﾗｰ: ﾀｲﾑｱｳﾄ'));
  });

  it('finds a word stored composed or decomposed, whichever way it is typed', async () => {
    // Vietnamese, Greek and Cyrillic letters whose accents FTS5 keeps, and a French one it folds.
    const words = ['Việt', 'πρόσβασης', 'ёлка', 'café'];
    const ids = new Map<string, string>();
    for (const word of words) {
      for (const form of ['NFC', 'NFD'] as const) {
        const context = `${word.normalize(form)} deployment blocked`;
        ids.set(
          `${word}/${form}`,
          await storeEpisode('forms', context, { action: 'deploy', result: 'blocked' }),
        );
      }
    }
    for (const word of words) {
      const both = [ids.get(`${word}/NFC`), ids.get(`${word}/NFD`)];
      for (const form of ['NFC', 'NFD'] as const) {
        const text = word.normalize(form);
        const hits = await store.memory.search.text({ text, domain: 'forms' });
        expect(hits.map((hit) => hit.episode.id).sort(), `${word} typed ${form}`).toEqual(both.sort());
        const { episodes } = await store.memory.search.retrieve({ text, domain: 'forms', patterns: 0 });
        expect(
          episodes
            .slice(0, 2)
            .map((hit) => hit.episode.id)
            .sort(),
          `${word} typed ${form}`,
        ).toEqual(both.sort());
      }
    }
    // A word FTS5 indexes as one term is searched once, however it was typed: OR-ing it twice counted it twice.
    expect(toFtsQuery('café Café cafe\u0301')).toBe('"café"');
  });
});
