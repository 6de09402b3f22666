/** A character budget for a tool's answer: roughly 4 characters per token. */
export const defaultMaxChars = 4000;

/** One line cut to `max` characters, on one line. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Builds an answer block by block within `maxChars`. A block that does not fit is left out
 * whole (never cut mid-episode), and the answer says how many were left out, so the agent
 * knows to ask for more or to read the resource.
 */
export class TextBudget {
  private readonly parts: string[] = [];
  private used = 0;
  private omitted = 0;

  constructor(private readonly maxChars: number) {}

  /** Adds `block` if it fits; returns whether it did. */
  add(block: string): boolean {
    const cost = block.length + (this.parts.length > 0 ? 1 : 0);
    if (this.omitted > 0 || this.used + cost > this.maxChars) {
      this.omitted += 1;
      return false;
    }
    this.parts.push(block);
    this.used += cost;
    return true;
  }

  /** The answer; `hint` tells how to see what was left out. */
  toString(hint: string): string {
    const text = this.parts.join('\n');
    if (this.omitted === 0) return text;
    // The note itself may run past the budget by its own length: it is what makes the cut visible.
    return `${text}\n… ${this.omitted} more left out to stay within maxChars; ${hint}`;
  }
}
