import { indexedTerm, tokenRun } from './indexed-term.js';

/** Where one query word ends: whitespace, and an apostrophe ("Fitbit's" must find "Fitbit" even where no "s" follows it). */
const wordSeparator = /[\s'\u2019]+/u;

/**
 * Turns free user text into an FTS5 query that can never be a syntax error.
 *
 * Each whitespace-separated word becomes a quoted phrase of its token runs, so FTS operators
 * (`AND`, `OR`, `NEAR`, `*`, `-`, `^`, `:`, parentheses, quotes) are searched as plain text, and
 * an identifier such as `get_user_details` or `src/index.ts` still matches as a phrase. The
 * phrases are OR-ed: BM25 ranks documents that contain more of them first. Returns `null` when
 * the text has nothing searchable (empty, punctuation or emoji only).
 */
export function toFtsQuery(text: string): string | null {
  return phrasesToFtsQuery(ftsPhrases(text));
}

/**
 * The distinct phrases `toFtsQuery` ORs together, each as its token runs, in text order. Every
 * word is kept, however long the text (`limits.maxContextChars` bounds it), so that `retrieve`
 * ranks them all by rarity (`selectPhrases`): a cut in reading order dropped the exception line
 * that ends a long traceback, unsearched and unreported.
 */
export function ftsPhrases(text: string): string[][] {
  const phrases = new Map<string, string[]>();
  const add = (key: string, phrase: string[]) => phrases.has(key) || phrases.set(key, phrase);
  const addWord = (word: string) => {
    const runs = word.match(tokenRun);
    if (runs === null) return;
    // Keyed as FTS5 indexes it: "The" and "the", or "café" typed composed and decomposed, are one
    // term, and OR-ing it twice would count it twice.
    add(runs.map(indexedTerm).join(' '), runs);
    // `get_user_details` matches as a phrase, and each of its words still counts on its own.
    if (runs.length > 1) for (const run of runs) add(indexedTerm(run), [run]);
  };
  for (const word of text.split(wordSeparator)) {
    // NFKC gives full-width digits, half-width katakana and ligatures their usual form; NFKC can
    // make a separator (a full-width apostrophe), hence the second split.
    const folded = word.normalize('NFKC');
    for (const part of folded.split(wordSeparator)) addWord(part);
    // The indexes hold stored text as given (FTS5 folds neither width nor ligatures): the word as
    // written is searched too, so the very string an agent stored finds it.
    if (folded !== word) addWord(word);
    // FTS5 drops a loose combining diacritic but keeps a precomposed letter whose accents it does
    // not remove (Vietnamese ệ, Greek ά, Cyrillic ё): the two spellings index as different words,
    // and the decomposed one finds text stored decomposed (macOS file names, some editors).
    const decomposed = folded.normalize('NFD');
    if (decomposed !== folded) for (const part of decomposed.split(wordSeparator)) addWord(part);
  }
  return [...phrases.values()];
}

/** ORs quoted phrases into an FTS5 query; null for none. */
export function phrasesToFtsQuery(phrases: readonly (readonly string[])[]): string | null {
  return phrases.length === 0 ? null : phrases.map((runs) => `"${runs.join(' ')}"`).join(' OR ');
}
