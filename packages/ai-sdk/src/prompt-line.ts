import { isHighSurrogate, wellFormed } from './storable-text.js';

/** A terminal's colour and cursor codes (`ESC [ … m`), as test runners and shells print them. */
const terminalCode = /\u001b\[[0-?]*[ -/]*[@-~]/g;
/**
 * C0 control characters other than the whitespace ones (tab, line breaks), DEL, and the C1 ones
 * (U+0080–U+009F): among them NEL, a line break to some readers (a stored text must not start a
 * line of its own in the prompt), and the 8-bit CSI of terminal codes.
 */
const controlCharacter = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/**
 * Stored text (a task, a tool's output) as one line of the model's prompt, at most `max`
 * characters: whitespace runs become one space, a terminal's colour codes are dropped, other
 * control characters and lone surrogates become U+FFFD (a provider's JSON encoder, or a client
 * in another language, may refuse them, and they mean nothing to a model), and a cut, marked
 * `…`, never splits a surrogate pair (an emoji).
 */
export function promptLine(text: string, max: number): string {
  const flat = wellFormed(text)
    .replace(terminalCode, '')
    .replace(controlCharacter, '\uFFFD')
    .replace(/\s+/gu, ' ')
    .trim();
  if (flat.length <= max) return flat;
  const room = Math.max(0, max - 1);
  const end = isHighSurrogate(flat.charCodeAt(room - 1)) ? room - 1 : room;
  return `${flat.slice(0, end)}…`;
}
