import { EpisodicError } from '../errors.js';

/** The sort key of the last row of a page: opaque to callers, checked when it comes back. */
export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * A part of a cursor's key: text, a number (a success rate), or a `count` (a step number: a
 * whole number from 0), the last kept apart so that a cursor no page ever ended on (`[-5]`,
 * `[1.5]`) is refused rather than read as a place to start.
 */
type KeyPart = 'string' | 'number' | 'count';

const holds = (part: unknown, kind: KeyPart) =>
  kind === 'string'
    ? typeof part === 'string'
    : typeof part === 'number' &&
      Number.isFinite(part) &&
      (kind === 'number' || (Number.isSafeInteger(part) && part >= 0));

/**
 * The key a cursor holds, if it has the `shape` this list sorts by (`['string', 'string']` for
 * episodes' `created_at, id`); otherwise a VALIDATION error at `cursor` that names the method
 * (`episodes.list`) whose pages it must come from.
 */
export function decodeCursor<const Shape extends readonly KeyPart[]>(
  text: string,
  shape: Shape,
  method: string,
): { [K in keyof Shape]: Shape[K] extends 'string' ? string : number } {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === shape.length &&
      value.every((part, index) => holds(part, shape[index] as KeyPart))
    )
      return value as { [K in keyof Shape]: Shape[K] extends 'string' ? string : number };
  } catch {
    // fall through to the typed error below
  }
  const message = `is not a cursor returned by ${method}`;
  throw new EpisodicError('VALIDATION', `Invalid ${method} input: cursor: ${message}`, {
    issues: [{ path: 'cursor', message }],
  });
}
