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

/** A block's short form for `room` characters, or undefined when it has none that short. */
export type OneLine = (room: number) => string | undefined;

/**
 * Builds an answer block by block within `maxChars`. The header (what the answer is about) is
 * always kept: the caller shapes it to fit. A block that does not fit is shown in its one-line
 * form when it has one that fits (a small `maxChars` then still shows what was found, where
 * leaving every block out showed only the header), or else left out whole (never cut
 * mid-episode); the answer says how many were shortened or left out, and `hint` how to see them.
 */
export class TextBudget {
  private readonly header: string;
  private readonly blocks: { text: string; oneLine: OneLine | undefined; short: boolean }[] = [];
  private used: number;
  private omitted = 0;

  constructor(
    private readonly maxChars: number,
    header: string,
    private readonly hint: string,
  ) {
    this.header = header;
    this.used = header.length;
  }

  /** Adds `block`, or else its one-line form, if it fits; returns whether either did. */
  add(block: string, oneLine?: OneLine): boolean {
    if (this.omitted === 0) {
      if (this.fits(block.length, 0)) {
        this.blocks.push({ text: block, oneLine, short: false });
        this.used += block.length + 1;
        return true;
      }
      // Beside the note its shortening brings, with room for more left out after it.
      const short = oneLine?.(this.room(this.shortened() + 1, 99));
      if (short !== undefined && this.fits(short.length, this.note(this.shortened() + 1, 99).length + 1)) {
        this.blocks.push({ text: short, oneLine, short: true });
        this.used += short.length + 1;
        return true;
      }
    }
    this.omitted += 1;
    return false;
  }

  private fits(length: number, reserve: number): boolean {
    return this.used + length + 1 + reserve <= this.maxChars;
  }

  /** The characters a block may take, beside the note it would say with these counts. */
  private room(shortened: number, omitted: number): number {
    return this.maxChars - this.used - 1 - (this.note(shortened, omitted).length + 1);
  }

  private shortened(): number {
    return this.blocks.filter((block) => block.short).length;
  }

  private note(shortened: number, omitted: number): string {
    const what = [
      ...(shortened === 0 ? [] : [`${shortened} shown in one line`]),
      ...(omitted === 0 ? [] : [`${omitted} more left out`]),
    ];
    return `… ${what.join(', ')} to stay within maxChars; ${this.hint}`;
  }

  /**
   * The answer. The note saying what was shortened or left out is within `maxChars` too: blocks
   * make room for it, the last first (it ran past the budget by its own length), each shown in one
   * line if that is enough, or else left out. The header and the whole note stay even when they
   * alone pass `maxChars` (at its least, 200): a note cut short would no longer say what to do.
   */
  toString(): string {
    const overBudget = () => this.used + 1 + this.note(this.shortened(), this.omitted).length > this.maxChars;
    if (this.omitted > 0 || this.shortened() > 0) {
      while (this.blocks.length > 0 && overBudget()) {
        const last = this.blocks.pop() as (typeof this.blocks)[number];
        this.used -= last.text.length + 1;
        const short = last.short ? undefined : last.oneLine?.(this.room(this.shortened() + 1, this.omitted));
        if (short !== undefined && short.length <= this.room(this.shortened() + 1, this.omitted)) {
          this.blocks.push({ ...last, text: short, short: true });
          this.used += short.length + 1;
        } else this.omitted += 1;
      }
    }
    const text = [this.header, ...this.blocks.map((block) => block.text)].join('\n');
    return this.omitted === 0 && this.shortened() === 0
      ? text
      : `${text}\n${this.note(this.shortened(), this.omitted)}`;
  }
}
