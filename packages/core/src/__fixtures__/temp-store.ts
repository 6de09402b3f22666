import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '../open-memory.js';
import type { MemoryConfig } from '../config.js';

/** A fresh folder under the OS temp dir, removed by `cleanup`. */
export function tempDir(prefix = 'episodic-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Opens a store on a real libSQL file in a temp folder. Tests use this rather than `:memory:`
 * so that they exercise WAL, the connection pool and the file on disk as users will.
 */
export async function openTempMemory(config: MemoryConfig = {}) {
  const dir = tempDir();
  const url = `file:${join(dir.path, 'memory.db')}`;
  const memory = await openMemory({ url, ...config });
  return {
    memory,
    dir: dir.path,
    url,
    async [Symbol.asyncDispose]() {
      memory.close();
      dir.cleanup();
    },
    close() {
      memory.close();
      dir.cleanup();
    },
  };
}
