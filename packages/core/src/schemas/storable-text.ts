import { wellFormed } from './stored-text.js';

/**
 * `text` made acceptable to the store's text fields (`storedText`), for an adapter that records what it did not write
 * itself (a trace's tool output): a NUL character and a lone surrogate, which the store refuses
 * rather than change, become U+FFFD, and a text longer than `maxChars` keeps its start and ends
 * with `…`, within `maxChars`. Counted as the store counts, in code points: an emoji is one
 * character (counted in UTF-16 units, a result of emoji was cut at half of what the store takes),
 * and never cut in half.
 */
export function storableText(text: string, maxChars: number): string {
  const clean = wellFormed(text.replaceAll('\u0000', '\uFFFD'));
  // No more UTF-16 units than `maxChars`: no more code points either.
  if (clean.length <= maxChars) return clean;
  let points = 0;
  // UTF-16 units of the first `maxChars - 1` code points: what is kept before the `…`.
  let kept = 0;
  for (const char of clean) {
    points += 1;
    if (points > maxChars) return `${clean.slice(0, kept)}…`;
    if (points < maxChars) kept += char.length;
  }
  return clean;
}
