/** Words that say nothing about what a pattern or an error is about. */
const stopWords = new Set(
  'a an and are as at be but by for from has have i if in into is it its me my of on or our so than that the then this to was we were will with you your'.split(
    ' ',
  ),
);
/** Characters per line looked at: one line cannot make the work unbounded. */
const maxLineChars = 2000;
/** Quoted and listed values in a query: the specifics of one occurrence, as signatures drop them. */
const specifics = /(?<!\w)'[^'\n]*'(?!\w)|"[^"\n]*"|`[^`\n]*`|\[[^\]\n]*\]/gu;

/** The distinct content words of a text: lowercase, split at anything not a letter or digit, no numbers. */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  // NFC: an accented letter typed decomposed (a base and a combining mark) is one letter again,
  // not split at the mark, so `café` matches whichever way it was typed.
  for (const word of text
    .normalize('NFC')
    .replace(/<[a-z]+>/gu, ' ')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)) {
    if (word.length >= 2 && !stopWords.has(word) && !/^\p{N}+$/u.test(word)) words.add(word);
  }
  return words;
}

/**
 * How well a text matches a pattern's summary, in [0, 1], on an absolute scale: the best cosine,
 * over the text's lines and the summary's, between their content words (quoted and listed values
 * left out of the text). An error states
 * itself on one line, so the line that states it scores high however long the traceback is, and a
 * long task description that shares a few words with a pattern scores low, whatever else matches.
 */
export function textMatch(text: string, summary: string): number {
  return textMatcher(text)(summary);
}

/**
 * `textMatch` against one text for many summaries: the text's lines are read once. Every line
 * counts (the text is bounded where it comes in), so the line a Python traceback ends with, after
 * hundreds of frames, is matched as well as a Node error's first line.
 */
export function textMatcher(text: string): (summary: string) => number {
  const lines = new Map<string, Set<string>>();
  for (const line of text.split(/\r?\n/u)) {
    const words = contentWords(line.slice(0, maxLineChars).replace(specifics, ' '));
    // Frames of a traceback repeat their words: each set of words is compared once.
    if (words.size > 0) lines.set([...words].sort().join(' '), words);
  }
  return (summary) => {
    let best = 0;
    for (const line of summary.split(/\r?\n/u)) {
      const target = contentWords(line);
      if (target.size === 0) continue;
      for (const words of lines.values()) {
        let shared = 0;
        for (const word of words) if (target.has(word)) shared += 1;
        best = Math.max(best, shared / Math.sqrt(words.size * target.size));
      }
    }
    return best;
  };
}
