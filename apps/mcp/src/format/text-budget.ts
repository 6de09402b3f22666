import { wellFormed } from '@episodic/core';

/** A character budget for a tool's answer: roughly 4 characters per token. */
export const defaultMaxChars = 4000;

/**
 * Where to cut `text` to keep at most `end` UTF-16 units: one unit earlier when the cut would
 * leave the first half of a surrogate pair (an emoji) on its own, which a non-JavaScript client
 * cannot even encode as UTF-8.
 */
export function cutIndex(text: string, end: number): number {
  if (end <= 0) return 0;
  if (end >= text.length) return text.length;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

/**
 * Terminal colour and cursor codes (`ESC [ 31 m`), then any control character left: colourised
 * test output and binary files printed by a shell are stored as they came, and in an answer
 * they are noise at best and rewrite the reader's terminal at worst.
 */
const terminalCodes = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const controlCharacters = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/**
 * One line cut to `max` characters: whitespace collapsed, terminal codes dropped, other control
 * characters and lone surrogates (which a non-JavaScript client cannot encode) shown as U+FFFD,
 * and a cut that never splits an emoji.
 */
export function clip(text: string, max: number): string {
  const flat = wellFormed(text)
    .replace(terminalCodes, '')
    .replace(controlCharacters, '\ufffd')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, cutIndex(flat, max - 1))}…`;
}

/**
 * `text` kept as it is up to `max` characters, mark included (`max` is meant to be well above the
 * mark's 25 or so): longer, its start and `… [N more characters]`, so a reader knows it was cut
 * and by how much.
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  // The mark's own length depends on N; the number of digits of the whole length bounds it.
  const room = max - `… [${text.length} more characters]`.length;
  const kept = cutIndex(text, Math.max(0, room));
  return `${text.slice(0, kept)}… [${text.length - kept} more characters]`;
}

/**
 * Builds an answer block by block within `maxChars`. The header (what the answer is about) is
 * always kept: the caller shapes it to fit. A block that does not fit is left out whole (never
 * cut mid-episode), and the answer says how many were left out, so the agent knows to ask for
 * more or to read the resource.
 */
export class TextBudget {
  private readonly parts: string[];
  private used: number;
  private omitted = 0;

  constructor(
    private readonly maxChars: number,
    header: string,
  ) {
    this.parts = [header];
    this.used = header.length;
  }

  /** Adds `block` if it fits; returns whether it did. */
  add(block: string): boolean {
    const cost = block.length + 1;
    if (this.omitted > 0 || this.used + cost > this.maxChars) {
      this.omitted += 1;
      return false;
    }
    this.parts.push(block);
    this.used += cost;
    return true;
  }

  /**
   * The answer; `hint` tells how to see what was left out. The note saying so is within
   * `maxChars` too: blocks make room for it, the last first (it ran past the budget by its own
   * length). The header and the whole note stay even when they alone pass `maxChars` (at its
   * least, 200): a note cut short would no longer say what to do.
   */
  toString(hint: string): string {
    if (this.omitted === 0) return this.parts.join('\n');
    const note = () => `… ${this.omitted} more left out to stay within maxChars; ${hint}`;
    while (this.parts.length > 1 && this.used + 1 + note().length > this.maxChars) {
      this.used -= (this.parts.pop() as string).length + 1;
      this.omitted += 1;
    }
    const text = this.parts.join('\n');
    return `${text}\n${note()}`;
  }
}
