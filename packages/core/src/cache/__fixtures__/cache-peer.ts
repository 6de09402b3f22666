/**
 * A second process for the multi-process cache tests: it opens the same database (and so the
 * same cache) as the test, or only the cache, and runs what the test asks over IPC.
 *   argv: <database url>
 *   message in: { id, op, args }   message out: { id, result } | { id, error }
 */
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep, setImmediate as yieldToEvents } from 'node:timers/promises';
import { locateDatabase } from '../../db/database-location.js';
import { openMemory } from '../../open-memory.js';
import { type CacheKey, cacheKey } from '../cache.js';
import { cacheSettingsSchema } from '../cache-options.js';
import { openCache } from '../open-cache.js';

const url = process.argv[2];
if (url === undefined || process.send === undefined)
  throw new Error('usage: fork cache-peer.ts <url> (with IPC)');
const send = process.send.bind(process);

const memory = await openMemory({ url });
const path = locateDatabase(url, undefined).path as string;
const cache = openCache({
  url,
  location: { kind: 'file', path },
  settings: cacheSettingsSchema.parse({}),
  logger: { warn: (message) => process.stderr.write(`${message}\n`) },
});
let stopped = false;
const raceKey = cacheKey.episode('race');

const ops: Record<string, (...args: never[]) => unknown> = {
  getEpisode: (id: string) => memory.episodes.get(id),
  logStep: (id: string, action: string) => memory.episodes.logStep(id, { action }),
  searchText: (text: string) => memory.search.text({ text }),
  stats: () => memory.admin.cacheStats(),
  stop: () => {
    stopped = true;
  },

  /** Logs `count` steps; after each, this process must read its own step back (through the cache). */
  async writeAndReadBack(id: string, name: string, count: number) {
    const missing: string[] = [];
    for (let i = 0; i < count; i += 1) {
      await memory.episodes.logStep(id, { action: `${name}-${i}` });
      const episode = await memory.episodes.get(id);
      if (!episode?.steps.some((step) => step.action === `${name}-${i}`)) missing.push(`${name}-${i}`);
    }
    return missing;
  },

  /**
   * Until stopped: reads the generation, waits a moment as a reader waits for its database
   * read, then fills the race key with a value stamped with that generation.
   */
  async fillUntilStopped() {
    let fills = 0;
    while (!stopped) {
      const generation = cache.generation();
      await sleep(1);
      cache.fill(raceKey, { generation }, generation);
      fills += 1;
    }
    return fills;
  },

  /**
   * Invalidates the race key `count` times. A value found in the key afterwards must come from
   * a fill that began after the invalidation: one stamped with an older generation means the
   * invalidation was lost.
   */
  async invalidateAndCheck(count: number) {
    const stale: number[] = [];
    for (let i = 0; i < count; i += 1) {
      cache.invalidate([raceKey]);
      const floor = cache.generation();
      await sleep(2);
      const value = cache.get<{ generation: number }>(raceKey);
      if (value !== undefined && value.generation < floor) stale.push(value.generation);
    }
    return stale;
  },

  fillRace: (value: string) => cache.fill(raceKey, { value }, cache.generation()),

  /**
   * Once the reader has taken its first read (`marker.reading` appears), invalidates the race key,
   * then creates `marker`. Waiting for the reader, not a fixed delay: on a loaded machine the reader's
   * process may get its message after this one's timer fired.
   */
  async armInvalidation(marker: string) {
    while (!existsSync(`${marker}.reading`)) await sleep(5);
    cache.invalidate([raceKey]);
    writeFileSync(marker, 'invalidated');
  },

  /**
   * Reads the race key, says so (`marker.reading`), then, without yielding to the event loop, waits
   * for another process to invalidate it (`marker` appears) and reads it again.
   */
  readAcrossInvalidation(marker: string) {
    const before = cache.get(raceKey);
    writeFileSync(`${marker}.reading`, 'read');
    const until = Date.now() + 50_000;
    while (!existsSync(marker) && Date.now() < until)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    return { before, after: cache.get(raceKey) ?? null };
  },

  /**
   * Fills `count` keys of its own and invalidates each; returns the keys (every invalidation was
   * acknowledged) and how many of the fills were read back before their invalidation.
   */
  async invalidateMany(tag: string, count: number) {
    const keys = Array.from({ length: count }, (_, i) => cacheKey.episode(`${tag}-${i}`));
    let filled = 0;
    for (const [i, key] of keys.entries()) {
      // Another process's invalidation between the stamp and the fill skips the fill: try again.
      for (let tries = 0; tries < 100 && cache.get(key) === undefined; tries += 1)
        cache.fill(key, { i }, cache.generation());
      if (cache.get(key) !== undefined) filled += 1;
      cache.invalidate([key]);
      if (i % 10 === 0) await yieldToEvents();
    }
    return { keys, filled };
  },

  /** How many of `keys` the cache serves. */
  present: (keys: CacheKey[]) => keys.filter((key) => cache.get(key) !== undefined).length,
};

async function answer(message: { id: number; op: string; args: never[] }): Promise<void> {
  try {
    const op = ops[message.op];
    if (op === undefined) throw new Error(`unknown op ${message.op}`);
    send({ id: message.id, result: await op(...message.args) });
  } catch (error) {
    send({ id: message.id, error: (error as Error).message });
  }
}
process.on('message', (message: { id: number; op: string; args: never[] }) => void answer(message));
process.on('disconnect', () => {
  cache.close();
  void memory.close().then(() => process.exit(0));
});
send({ ready: true });
