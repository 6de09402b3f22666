import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import { afterAll, beforeAll } from 'vitest';

/**
 * One real store (a libSQL file in a temporary folder) for the test file that calls this: opened
 * before its tests and handed to `use` with its folder, closed and removed after them.
 */
export function tempMemoryPerFile(prefix: string, use: (memory: Memory, folder: string) => void): void {
  let dir = '';
  let memory: Memory | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    memory = await openMemory({ url: `file:${join(dir, 'memory.db')}` });
    use(memory, dir);
  });
  afterAll(async () => {
    await memory?.close();
    rmSync(dir, { recursive: true, force: true });
  });
}
