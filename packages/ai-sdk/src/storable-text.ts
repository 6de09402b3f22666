/** Half of a surrogate pair without its other half: not text any encoder can write. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with each lone surrogate as U+FFFD: the store refuses one rather than change it. */
export const wellFormed = (text: string): string => text.replace(loneSurrogate, '\uFFFD');

/**
 * A parsed JSON value with every string and key `wellFormed`: `JSON.stringify` writes a lone
 * surrogate as an escape (`"\ud800"`), which parses back into the same lone surrogate.
 */
export function wellFormedJson(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormedJson);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [wellFormed(key), wellFormedJson(item)]),
  );
}

/**
 * `text` as the store accepts it, at most `max` characters (UTF-16 units, as the store counts
 * them). The store refuses a NUL character and a lone surrogate rather than change them, and a
 * tool's output may hold either (a binary file printed by a shell, a string cut by the tool), so
 * both become U+FFFD here: the step is kept with a visible mark instead of being refused. A text
 * longer than `max` keeps its start and its end, half the room each, with a mark between them
 * saying how much was left out (`… [N more characters] …`, included in `max`): a tool's output
 * says what ran first and how it ended last (a test run's summary, a traceback's error), which
 * the start alone lost. Never cut between the two halves of a surrogate pair (an emoji).
 * (`@episodic/core` has its own `storableText`; this package depends on no Episodic package, so
 * it keeps this one.)
 */
export function storableText(text: string, max: number): string {
  const clean = wellFormed(text).replaceAll('\u0000', '\uFFFD');
  if (clean.length <= max) return clean;
  // The mark's length depends on the count it gives: size it for the largest count it can give.
  const room = Math.max(0, max - mark(clean.length).length);
  const half = Math.ceil(room / 2);
  const head = isHighSurrogate(clean.charCodeAt(half - 1)) ? half - 1 : half;
  const from = clean.length - (room - half);
  const tail = isHighSurrogate(clean.charCodeAt(from - 1)) ? from + 1 : from;
  return `${clean.slice(0, head)}${mark(tail - head)}${clean.slice(tail)}`.slice(0, max);
}

const mark = (left: number) => `… [${left} more characters] …`;

/** The first half of a surrogate pair: a cut right after it would split a character (an emoji). */
export const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
