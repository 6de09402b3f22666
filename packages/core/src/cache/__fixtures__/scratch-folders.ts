import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from '../../__fixtures__/temp-store.js';

/** Scratch folders for a test file's tests, deleted after each test. Call at the file's top level. */
export function scratchFolders() {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
  return {
    /** Something to clean up after the test too. */
    cleanups,
    /** A new empty folder. */
    root(): string {
      const dir = tempDir();
      cleanups.push(dir.cleanup);
      return dir.path;
    },
    /** Makes the folder `path` with one file saying `text`, to tell folders apart. */
    folderHolding(path: string, text: string): void {
      mkdirSync(path);
      writeFileSync(join(path, 'which'), text);
    },
  };
}
