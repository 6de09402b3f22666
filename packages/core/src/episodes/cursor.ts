import { EpisodicError } from '../errors.js';

/** Position after the last row of a page, in the `created_at DESC, id DESC` order. */
export interface EpisodeCursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(cursor: EpisodeCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): EpisodeCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) {
      return { createdAt: value[0] as string, id: value[1] as string };
    }
  } catch {
    // fall through to the typed error below
  }
  throw new EpisodicError(
    'VALIDATION',
    'Invalid list filters: cursor: is not a cursor returned by listEpisodes',
    {
      issues: [{ path: 'cursor', message: 'is not a cursor returned by listEpisodes' }],
    },
  );
}
