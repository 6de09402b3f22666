/** The combining diacritics FTS5 removes (`remove_diacritics 1`): those of U+0300–U+0331 its table lists. */
const diacritics = String.raw`\u0300-\u0304\u0306-\u030c\u030f\u0311\u031b\u0323-\u0328\u032d\u032e\u0330\u0331`;
const diacritic = new RegExp(`[${diacritics}]`, 'u');

/**
 * A run of the characters FTS5's default `unicode61` tokenizer keeps together: letters, digits,
 * private use, and the diacritics it removes. Any other mark separates words there, as
 * punctuation does (Hebrew points, the macron below), so it does here.
 */
export const tokenRun = new RegExp(`[\\p{L}\\p{N}\\p{Co}${diacritics}]+`, 'gu');

const ascii = /^[\x00-\x7f]*$/;
const asciiLetter = /^[a-z]$/;

/**
 * Letters `unicode61` folds other than by lower-casing: final sigma, long s, Greek symbol forms
 * (Unicode case folding); and one it leaves as it is (its tables predate Greek capital yot).
 */
const folds = new Map([
  ['ς', 'σ'],
  ['ſ', 's'],
  ['ϐ', 'β'],
  ['ϑ', 'θ'],
  ['ϕ', 'φ'],
  ['ϖ', 'π'],
  ['ϰ', 'κ'],
  ['ϱ', 'ρ'],
  ['ϵ', 'ε'],
  ['Ϳ', 'Ϳ'],
]);

/**
 * A token as FTS5's `unicode61` tokenizer (`remove_diacritics 1`) stores it, for a run of
 * `tokenRun`: case folded; a loose diacritic dropped (text typed decomposed); an ASCII letter with
 * one diacritic folded to the letter; every other letter kept as it is (Cyrillic й and ё, Greek ά,
 * Vietnamese ệ with two diacritics, æ with a macron). Stripping every mark after NFD, as this did,
 * made such words count nowhere, and a long query dropped them first. A test checks it against
 * FTS5 letter by letter in the Latin, Greek, Cyrillic and Vietnamese blocks. Canonical forms only:
 * the tokenizer keeps full-width letters and ligatures as they are (a query word is searched as
 * written beside its NFKC form, see `ftsPhrases`).
 */
export function indexedTerm(run: string): string {
  // ASCII has nothing to decompose: most words skip the Unicode normalization.
  if (ascii.test(run)) return run.toLowerCase();
  let term = '';
  for (const char of run) {
    if (diacritic.test(char)) continue;
    const folded = folds.get(char) ?? char.toLowerCase();
    const [base = '', mark, more] = folded.normalize('NFD');
    const plain = folds.get(base) ?? base;
    term +=
      more === undefined && mark !== undefined && diacritic.test(mark) && asciiLetter.test(plain)
        ? plain
        : folded;
  }
  return term;
}
