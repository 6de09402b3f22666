import { EpisodicError } from '../errors.js';

/** The sort key of the last row of a page: opaque to callers, checked when it comes back. */
export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key a cursor holds, if it has the `shape` this list sorts by (`['string', 'string']` for
 * episodes' `created_at, id`); otherwise a VALIDATION error that names the list.
 */
export function decodeCursor<const Shape extends readonly ('string' | 'number')[]>(
  text: string,
  shape: Shape,
  list: string,
): { [K in keyof Shape]: Shape[K] extends 'number' ? number : string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === shape.length &&
      value.every((part, index) => typeof part === shape[index])
    )
      return value as { [K in keyof Shape]: Shape[K] extends 'number' ? number : string };
  } catch {
    // fall through to the typed error below
  }
  const message = `is not a cursor returned by ${list}`;
  throw new EpisodicError('VALIDATION', `Invalid list filters: cursor: ${message}`, {
    issues: [{ path: 'cursor', message }],
  });
}
