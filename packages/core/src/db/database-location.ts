import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type DatabaseKind = 'file' | 'memory' | 'remote' | 'replica';

export interface DatabaseLocation {
  kind: DatabaseKind;
  /** Absolute path of the local file, for `file` and `replica`. */
  path?: string;
}

const remoteSchemes = /^(libsql|https?|wss?):\/\//i;

/** Classifies a libSQL url the way the engine needs: what to tune, and whether one connection must do. */
export function locateDatabase(url: string, syncUrl: string | undefined): DatabaseLocation {
  if (url === ':memory:' || url === 'file::memory:') return { kind: 'memory' };
  if (remoteSchemes.test(url)) return { kind: 'remote' };
  if (!url.startsWith('file:')) {
    throw new Error(
      `unsupported database url "${url}": use file:, :memory:, libsql://, http(s):// or ws(s)://`,
    );
  }
  const withoutQuery = url.slice('file:'.length).split('?')[0] ?? '';
  const path = resolve(withoutQuery.startsWith('//') ? withoutQuery.slice(2) : withoutQuery);
  return { kind: syncUrl ? 'replica' : 'file', path };
}

/** Creates the folder a database file will live in. */
export function ensureParentDirectory(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
}

/**
 * Creates the database file readable by its owner only, before SQLite does: SQLite gives the
 * -wal and -shm files it creates later the permissions of the main file.
 */
export function createOwnerOnlyFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
