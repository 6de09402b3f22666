/** Words that say nothing about what a pattern or an error is about. */
const stopWords = new Set(
  'a an and are as at be but by for from has have i if in into is it its me my of on or our so than that the then this to was we were will with you your'.split(
    ' ',
  ),
);
/** Lines of a query looked at, and characters per line: the work stays bounded. */
const maxLines = 400;
const maxLineChars = 2000;
/** Quoted and listed values in a query: the specifics of one occurrence, as signatures drop them. */
const specifics = /(?<!\w)'[^'\n]*'(?!\w)|"[^"\n]*"|`[^`\n]*`|\[[^\]\n]*\]/gu;

/** The distinct content words of a text: lowercase, split at anything not a letter or digit, no numbers. */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const word of text
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
  const targets = summary
    .split(/\r?\n/u, maxLines)
    .map(contentWords)
    .filter((words) => words.size > 0);
  if (targets.length === 0) return 0;
  let best = 0;
  for (const line of text.split(/\r?\n/u, maxLines)) {
    const words = contentWords(line.slice(0, maxLineChars).replace(specifics, ' '));
    if (words.size === 0) continue;
    for (const target of targets) {
      let shared = 0;
      for (const word of words) if (target.has(word)) shared += 1;
      best = Math.max(best, shared / Math.sqrt(words.size * target.size));
    }
  }
  return best;
}
