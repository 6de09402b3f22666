/** Runs of the characters FTS5's default `unicode61` tokenizer keeps: letters, digits, marks, private use. */
const tokenRun = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * A bound on the work one query text can cause; `retrieve` then keeps the most informative
 * of these (`selectPhrases`), so a long text is not cut at its first words.
 */
const maxPhrases = 1_000;

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

/** The distinct phrases `toFtsQuery` ORs together, each as its token runs, in text order. */
export function ftsPhrases(text: string): string[][] {
  const phrases = new Map<string, string[]>();
  const add = (key: string, phrase: string[]) => phrases.has(key) || phrases.set(key, phrase);
  // An apostrophe ends a phrase: "Fitbit's" must find "Fitbit" even where no "s" follows it.
  for (const word of text.normalize('NFKC').split(/[\s'\u2019]+/u)) {
    const runs = word.match(tokenRun);
    if (runs === null) continue;
    // FTS5 folds case: "The" and "the" are one term, and OR-ing it twice would count it twice.
    add(runs.join(' ').toLowerCase(), runs);
    // `get_user_details` matches as a phrase, and each of its words still counts on its own.
    if (runs.length > 1) for (const run of runs) add(run.toLowerCase(), [run]);
    if (phrases.size >= maxPhrases) break;
  }
  return [...phrases.values()];
}

/** ORs quoted phrases into an FTS5 query; null for none. */
export function phrasesToFtsQuery(phrases: readonly (readonly string[])[]): string | null {
  return phrases.length === 0 ? null : phrases.map((runs) => `"${runs.join(' ')}"`).join(' OR ');
}
