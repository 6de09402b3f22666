import { wellFormed } from './stored-text.js';

/**
 * `text` made acceptable to the store's text fields (`storedText`), for an adapter that records what it did not write
 * itself (a trace's tool output): a NUL character and a lone surrogate, which the store refuses
 * rather than change, become U+FFFD, and a text longer than `maxChars` keeps its start and ends
 * with `…`, within `maxChars`, never cut between the halves of a surrogate pair (an emoji).
 */
export function storableText(text: string, maxChars: number): string {
  const clean = wellFormed(text.replaceAll('\u0000', '\uFFFD'));
  if (clean.length <= maxChars) return clean;
  const code = clean.charCodeAt(maxChars - 2);
  const end = code >= 0xd800 && code <= 0xdbff ? maxChars - 2 : maxChars - 1;
  return `${clean.slice(0, Math.max(0, end))}…`;
}
