/**
 * Opens a store or a cache in a process of its own, for the encryption tests: LMDB opening an
 * environment with the wrong key kills the process (SIGSEGV), and that must show up as a
 * failed test, not as a dead test runner. Prints one line of JSON with what happened.
 *   argv: <JSON of a ChildTask>
 */

import { join } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { EpisodicError } from '../../errors.js';
import { openMemory } from '../../open-memory.js';
import { cacheKey } from '../cache.js';
import { cacheSettingsSchema } from '../cache-options.js';
import { openCache } from '../open-cache.js';

export type ChildTask =
  /** Opens the store at `url` (cache on) and reads each episode twice. */
  | { op: 'store'; url: string; key?: string; ids: string[] }
  /**
   * `rounds` times: opens the cache of `dir/memory.db` alone, reads one entry, fills it with
   * `value`, reads it back and closes.
   */
  | { op: 'cache'; dir: string; key?: string; rounds: number; value: string }
  /** Opens the cache of `dir/memory.db` once and fills `count` entries with `value`, reading each back. */
  | { op: 'fills'; dir: string; count: number; value: string };

const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
const warnings: string[] = [];
const logger = { warn: (message: string) => warnings.push(message) };

async function runStore(url: string, key: string | undefined, ids: string[]) {
  try {
    const memory = await openMemory({
      url,
      cache: {},
      logger,
      ...(key === undefined ? {} : { encryptionKey: key }),
    });
    const results: (string | null)[] = [];
    for (const id of ids) {
      for (let i = 0; i < 2; i += 1) results.push((await memory.episodes.get(id))?.steps[0]?.result ?? null);
    }
    const stats = memory.admin.cacheStats();
    await memory.close();
    return { opened: true, results, stats, warnings };
  } catch (error) {
    if (!EpisodicError.isInstance(error)) throw error;
    return { opened: false, error: { code: error.code, message: error.message }, warnings };
  }
}

function openDirCache(dir: string, key?: string) {
  const path = join(dir, 'memory.db');
  return openCache({
    url: `file:${path}`,
    location: { kind: 'file', path },
    settings: cacheSettingsSchema.parse({}),
    logger,
    encryptionKey: key,
  });
}

async function runCache(dir: string, key: string | undefined, rounds: number, value: string) {
  const entry = cacheKey.episode('secret');
  const seen: { before: string | null; after: string | null }[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const cache = openDirCache(dir, key);
    const before = cache.get<string>(entry) ?? null;
    cache.fill(entry, value, cache.generation());
    seen.push({ before, after: cache.get<string>(entry) ?? null });
    cache.close();
    await yieldToEvents();
  }
  return { seen, warnings };
}

function runFills(dir: string, count: number, value: string) {
  const cache = openDirCache(dir);
  let missed = 0;
  for (let i = 0; i < count; i += 1) {
    const entry = cacheKey.episode(`entry-${i}`);
    cache.fill(entry, value, cache.generation());
    if (cache.get<string>(entry) !== value) missed += 1;
  }
  cache.close();
  return { missed, warnings };
}

const result =
  task.op === 'store'
    ? await runStore(task.url, task.key, task.ids)
    : task.op === 'cache'
      ? await runCache(task.dir, task.key, task.rounds, task.value)
      : runFills(task.dir, task.count, task.value);
process.stdout.write(`${JSON.stringify(result)}\n`);
