import { mkdirSync } from 'node:fs';
import { ServerError } from '../errors/server-error.js';

const inTheWay: Record<string, string> = {
  EEXIST: 'a file, not a folder',
  ENOTDIR: 'part of the path is a file, not a folder',
};

/**
 * Creates the data dir (0700) if it is missing. A file in its place is the operator's mistake in
 * `--data-dir`, not a fault of the program: it is said in one line, naming the setting.
 */
export function makeDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const what = inTheWay[code ?? ''] ?? message;
    throw new ServerError('CONFIG', `--data-dir (EPISODIC_DATA_DIR) ${dir}: ${what}.`, { cause: error });
  }
}
