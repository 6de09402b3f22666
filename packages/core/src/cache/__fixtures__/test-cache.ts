import { join } from 'node:path';
import { tempDir } from '../../__fixtures__/temp-store.js';
import type { Cache } from '../cache.js';
import { cacheSettingsSchema } from '../cache-options.js';
import { openCache } from '../open-cache.js';

type SettingsInput = Parameters<typeof cacheSettingsSchema.parse>[0];

/** Warnings the cache logged, for tests to assert on. */
export function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (message: string) => warnings.push(message) } };
}

/**
 * A real LMDB cache for a (not yet created) database file in a temp folder, opened the way a
 * store opens it. `reopen` opens a second cache on the same folder, as a second store would.
 */
export function openTestCache(settings: SettingsInput = {}) {
  const dir = tempDir('episodic-cache-test-');
  const { warnings, logger } = recordingLogger();
  const resolved = cacheSettingsSchema.parse(settings);
  const path = join(dir.path, 'memory.db');
  const open = (): Cache =>
    openCache({ url: `file:${path}`, location: { kind: 'file', path }, settings: resolved, logger });
  const cache = open();
  return {
    cache,
    dir: dir.path,
    warnings,
    reopen: open,
    close() {
      cache.close();
      dir.cleanup();
    },
  };
}
