import { z } from 'zod';

/**
 * The tool an action names: its first word, cut at whitespace, `(` or `:`
 * (`read_file src/a.ts` → `read_file`, `search("x")` → `search`, `bash: npm test` → `bash`).
 * Miners compare actions by it by default, so arguments, paths and ids do not split one habit
 * into many patterns.
 */
export function toolName(action: string): string {
  const trimmed = action.trim();
  const head = trimmed.split(/[\s(:]/u, 1)[0] ?? '';
  return head === '' ? trimmed : head;
}

/** `a a b a` → `a b a`: three lookups in a row are one habit, not three patterns. */
export function collapseRepeats<T>(items: readonly T[]): T[] {
  return items.filter((item, index) => index === 0 || item !== items[index - 1]);
}

/** A miner option that maps a step's action to what the miner compares (default: {@link toolName}). */
export const actionNormalizerSchema = z
  .custom<(action: string) => string>(
    (value) => typeof value === 'function',
    'must be a function (action: string) => string',
  )
  .default(() => toolName);
