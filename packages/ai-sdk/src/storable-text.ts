/** Half of a surrogate pair without its other half: not text any encoder can write. */
export const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` as the store accepts it, at most `max` characters (UTF-16 units, as the store counts
 * them). The store refuses a NUL character and a lone surrogate rather than change them, and a
 * tool's output may hold either (a binary file printed by a shell, a string cut by the tool), so
 * both become U+FFFD here: the step is kept with a visible mark instead of being refused. A text
 * longer than `max` keeps its start and says how much was left out, the mark included in `max`,
 * and is never cut between the two halves of a surrogate pair (an emoji). (`@episodic/core` has
 * its own `storableText`; this package depends on no Episodic package, so it keeps this one.)
 */
export function storableText(text: string, max: number): string {
  const clean = text.replaceAll('\u0000', '\uFFFD').replace(loneSurrogate, '\uFFFD');
  if (clean.length <= max) return clean;
  // The mark's length depends on the count it gives: size it for the largest count it can give.
  const room = Math.max(0, max - mark(clean.length).length);
  const end = isHighSurrogate(clean.charCodeAt(room - 1)) ? room - 1 : room;
  return `${clean.slice(0, end)}${mark(clean.length - end)}`.slice(0, max);
}

const mark = (left: number) => `… [${left} more characters]`;

/** The first half of a surrogate pair: a cut right after it would split a character (an emoji). */
export const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
