import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { indexedTerm, tokenRun } from './indexed-term.js';

/** What FTS5's default tokenizer stores for each text: its terms, space-separated. */
function ftsTerms(texts: readonly string[]): string[] {
  const db = new Database(':memory:');
  try {
    db.exec("CREATE VIRTUAL TABLE t USING fts5(x); CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')");
    const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    texts.forEach((text, index) => insert.run(index + 1, text));
    const rows = db
      .prepare(
        "SELECT doc, group_concat(term, ' ') AS terms FROM (SELECT doc, term FROM v ORDER BY doc, offset) GROUP BY doc",
      )
      .all() as { doc: number; terms: string }[];
    const byDoc = new Map(rows.map((row) => [row.doc, row.terms]));
    return texts.map((_, index) => byDoc.get(index + 1) ?? '');
  } finally {
    db.close();
  }
}

/** Every letter, mark and digit of a range of code points, each inside a word (`q…q`). */
function lettersOf(from: number, to: number): string[] {
  const words: string[] = [];
  for (let code = from; code <= to; code++) {
    const char = String.fromCodePoint(code);
    if (/[\p{L}\p{N}\p{M}]/u.test(char)) words.push(`q${char}q`);
  }
  return words;
}

/** The terms `tokenRun` and `indexedTerm` say FTS5 stores for `text`, space-separated. */
const ourTerms = (text: string) => (text.match(tokenRun) ?? []).map(indexedTerm).join(' ');

describe('indexedTerm', () => {
  it('splits and folds words of several scripts exactly as FTS5 stores them', () => {
    const words = [
      'Café',
      'cafe\u0301',
      'Ünïcode',
      'GRÖSSE',
      'größe',
      'ŁÓDŹ',
      'İstanbul',
      'ılık',
      'пользователей',
      'ЁЛКА',
      'ёлка',
      'йогурт',
      'πρόσβασης',
      'ΟΔΥΣΣΕΥΣ',
      'Việt',
      'Nguyễn',
      'Vie\u0323\u0302t',
      'שָׁלוֹם',
      'مرحبا',
      'ｴﾗｰ',
      '８０８０',
      'ﬁle',
    ];
    expect(words.map(ourTerms)).toEqual(ftsTerms(words));
  });

  it('agrees with FTS5 on every letter and mark of the Latin, Greek, Cyrillic and Vietnamese blocks', () => {
    // Latin-1 Supplement to Latin Extended-B, combining diacritics, Greek and Cyrillic, Latin
    // Extended Additional (Vietnamese): where a user's words come from in those scripts.
    const words = [...lettersOf(0xc0, 0x24f), ...lettersOf(0x300, 0x4ff), ...lettersOf(0x1e00, 0x1eff)];
    const fts = ftsTerms(words);
    const differ = words.filter((word, index) => ourTerms(word) !== fts[index]);
    expect(differ).toEqual([]);
  });
});
