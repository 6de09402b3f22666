import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryConfig } from '../config.js';
import { openMemory } from '../open-memory.js';

/** A fresh folder under the OS temp dir, removed by `cleanup`. */
export function tempDir(prefix = 'episodic-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A fresh temp folder laid out as a store uses one: the database file, its URL, the cache folder beside it. */
export function tempStoreFolder() {
  const dir = tempDir();
  const path = join(dir.path, 'memory.db');
  return {
    dir: dir.path,
    path,
    url: `file:${path}`,
    cacheRoot: join(dir.path, 'cache'),
    cleanup: dir.cleanup,
  };
}

/**
 * The core suite runs twice (`pnpm test`): with the LMDB cache, and with `EPISODIC_TEST_CACHE=off`
 * without it. A test that sets `cache` itself gets what it asked for in both runs.
 */
export const testCacheEnabled = process.env.EPISODIC_TEST_CACHE !== 'off';

/**
 * `pnpm test` also runs the database-level tests with `EPISODIC_TEST_DRIVER=client`: stores opened
 * here then go through `@libsql/client` instead of the native driver.
 */
export const testLocalDriver = process.env.EPISODIC_TEST_DRIVER === 'client' ? 'client' : 'native';

/**
 * Opens a store on a real libSQL file in a temp folder. Tests use this rather than `:memory:`
 * so that they exercise WAL, the connection pool and the file on disk as users will. Its cache
 * (in `cache/` beside the database) follows `testCacheEnabled`.
 */
export async function openTempMemory(config: MemoryConfig = {}) {
  const { dir, url, cleanup } = tempStoreFolder();
  const memory = await openMemory({
    url,
    localDriver: testLocalDriver,
    ...(testCacheEnabled ? {} : { cache: false }),
    ...config,
  });
  return {
    memory,
    dir,
    url,
    async [Symbol.asyncDispose]() {
      await memory.close();
      cleanup();
    },
    async close() {
      await memory.close();
      cleanup();
    },
  };
}
