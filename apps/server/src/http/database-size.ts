import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** Bytes of a `file:` database and its WAL, or `null` for in-memory and remote databases. */
export function databaseSize(url: string): () => number | null {
  if (!url.startsWith('file:') || url.includes(':memory:')) return () => null;
  const raw = url.slice('file:'.length).split('?')[0] ?? '';
  const path = resolve(raw.startsWith('//') ? raw.slice(2) : raw);
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return () => size(path) + size(`${path}-wal`);
}
