import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from '../__fixtures__/folder-bytes.js';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import type { MemoryConfig } from '../config.js';
import { type Memory, openMemory } from '../open-memory.js';
import { environments } from './__fixtures__/environments.js';
import { recordingLogger } from './__fixtures__/test-cache.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function folder() {
  const folder = tempStoreFolder();
  cleanups.push(folder.cleanup);
  return folder;
}

async function openStore(config: MemoryConfig): Promise<Memory> {
  const memory = await openMemory(config);
  cleanups.push(() => memory.close());
  return memory;
}

/** Writes a few episodes and reads back everything a caller could: what a cache must not change. */
async function workload(memory: Memory) {
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: i === 2 ? 'billing' : 'web',
      context: `login fails ${i}`,
    });
    await memory.episodes.logSteps(episode.id, [
      { action: 'read_file', result: `Error: timeout ${i}` },
      { action: 'edit_file' },
    ]);
    if (i > 0) await memory.episodes.complete(episode.id, { status: 'completed', successRate: 0.5 });
    ids.push(episode.id);
  }
  return ids;
}

async function readAll(memory: Memory, ids: readonly string[]) {
  return {
    episodes: await Promise.all(ids.map((id) => memory.episodes.get(id))),
    scoped: await Promise.all(ids.map((id) => memory.episodes.get(id, { scope: { domains: ['web'] } }))),
    search: await memory.search.text({ text: 'timeout login' }),
    scopedSearch: await memory.search.text({ text: 'timeout' }, { scope: { domains: ['billing'] } }),
    patterns: await memory.patterns.list({}),
  };
}

describe('the cache is derived data', () => {
  it('cache: false gives the same results as the cache, cold and warm', async () => {
    const { url } = folder();
    const cached = await openStore({ url });
    const ids = await workload(cached);
    const plain = await openStore({ url, cache: false });
    expect(plain.admin.cacheStats()).toMatchObject({
      enabled: false,
      reason: expect.stringContaining('cache: false'),
    });
    const truth = await readAll(plain, ids);
    expect(await readAll(cached, ids)).toEqual(truth);
    expect(await readAll(cached, ids)).toEqual(truth);
    expect(cached.admin.cacheStats().keyspaces.episode.hits).toBeGreaterThan(0);
    expect(cached.admin.cacheStats().keyspaces.query.hits).toBeGreaterThan(0);
  });

  it('rebuilds a cache folder deleted before open', async () => {
    const { url, cacheRoot } = folder();
    const first = await openMemory({ url });
    const ids = await workload(first);
    const before = await readAll(first, ids);
    await first.close();
    rmSync(cacheRoot, { recursive: true });

    const { warnings, logger } = recordingLogger();
    const second = await openStore({ url, logger });
    expect(second.admin.cacheStats()).toMatchObject({ enabled: true, path: cacheRoot });
    expect(await readAll(second, ids)).toEqual(before);
    expect(second.admin.cacheStats().keyspaces.episode.entries).toBe(3);
    expect(warnings).toEqual([]);
  });

  it('sets aside a data file overwritten with garbage, says so, and rebuilds', async () => {
    const { url, cacheRoot } = folder();
    const first = await openMemory({ url });
    const ids = await workload(first);
    const before = await readAll(first, ids);
    await first.close();
    const [environment] = environments(cacheRoot);
    // Opening this file with LMDB would crash the process (SIGSEGV), not throw.
    writeFileSync(join(cacheRoot, environment as string, 'data.mdb'), Buffer.alloc(64 * 1024, 'garbage! '));

    const { warnings, logger } = recordingLogger();
    const second = await openStore({ url, logger });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not a usable cache \(not an LMDB data file\); moved it to .*\.corrupt-/);
    expect(environments(cacheRoot).filter((name) => name.includes('.corrupt-'))).toHaveLength(1);
    expect(second.admin.cacheStats()).toMatchObject({ enabled: true });
    expect(await readAll(second, ids)).toEqual(before);
    expect(await readAll(second, ids)).toEqual(before);
    expect(second.admin.cacheStats().keyspaces.episode.hits).toBeGreaterThan(0);
  });

  it('takes a set-aside environment with the rest of the cache when forget purges', async () => {
    const { url, cacheRoot } = folder();
    const first = await openMemory({ url });
    const episode = await first.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: 'PELICAN7741',
    });
    await first.episodes.get(episode.id);
    await first.close();
    const [environment] = environments(cacheRoot);
    // Both meta pages zeroed, as a torn write leaves them: set aside on open, its data pages intact.
    const dataFile = join(cacheRoot, environment as string, 'data.mdb');
    // In place: the file is as long as the map and mostly a hole, which a rewrite would fill.
    const fd = openSync(dataFile, 'r+');
    writeSync(fd, Buffer.alloc(2 * 4096), 0, 2 * 4096, 0);
    closeSync(fd);

    const { warnings, logger } = recordingLogger();
    const second = await openStore({ url, logger });
    expect(warnings.join('\n')).toMatch(/moved it to .*\.corrupt-/u);
    const holding = () => filesHolding(cacheRoot, 'PELICAN7741');
    expect(holding()).toHaveLength(1);
    await second.admin.forget({ episodeIds: [episode.id] }, { purge: 'wait' });
    expect(environments(cacheRoot).filter((name) => name.includes('.corrupt-'))).toEqual([]);
    expect(holding()).toEqual([]);
  });

  it('takes an environment a killed removal renamed but never deleted when forget purges', async () => {
    const { url, cacheRoot } = folder();
    const first = await openMemory({ url });
    const episode = await first.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: 'HERON5150',
    });
    await first.episodes.get(episode.id);
    await first.close();
    const [environment] = environments(cacheRoot);
    // What `removeFolder` leaves when its process dies between the rename and the delete.
    const path = join(cacheRoot, environment as string);
    cpSync(path, `${path}.old-0badc0de`, { recursive: true });

    const second = await openStore({ url });
    expect(filesHolding(cacheRoot, 'HERON5150').some((file) => file.includes('.old-0badc0de'))).toBe(true);
    await second.admin.forget({ episodeIds: [episode.id] }, { purge: 'wait' });
    expect(environments(cacheRoot).filter((name) => name.includes('.old-'))).toEqual([]);
    expect(filesHolding(cacheRoot, 'HERON5150')).toEqual([]);
  });

  it('sets aside a valid LMDB environment that another program wrote', async () => {
    const { url, cacheRoot } = folder();
    const first = await openMemory({ url });
    await first.close();
    const [environment] = environments(cacheRoot);
    const path = join(cacheRoot, environment as string);
    // Its key fingerprint stays: the folder claims to be ours, the data inside is not.
    for (const file of ['data.mdb', 'lock.mdb']) rmSync(join(path, file));
    const foreign = openLmdb(path, {});
    await foreign.put('someone-else', { hello: 'world' });
    await foreign.close();

    const { warnings, logger } = recordingLogger();
    const second = await openStore({ url, logger });
    expect(warnings[0]).toMatch(/written by another program/);
    expect(second.admin.cacheStats().enabled).toBe(true);
  });

  it('runs uncached, and says why, when the cache folder cannot be created', async () => {
    const { dir, url } = folder();
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'a file where the cache folder should be');
    for (const path of [blocker, join(blocker, 'cache')]) {
      // As root, permissions would not stop LMDB; a file in the way does. Check that LMDB itself fails there.
      expect(() => openLmdb(join(path, 'lmdb'), {})).toThrow();
      const { warnings, logger } = recordingLogger();
      const memory = await openStore({ url, cache: { path }, logger });
      const stats = memory.admin.cacheStats();
      expect(stats).toMatchObject({ enabled: false, path: null });
      expect(stats.reason).toContain(path);
      expect(warnings).toEqual([expect.stringContaining('running without a cache')]);
      const ids = await workload(memory);
      expect((await memory.episodes.get(ids[0] as string))?.steps).toHaveLength(2);
    }
  });

  it('keeps no cache for an in-memory database unless given a path, and removes that one at close', async () => {
    const none = await openStore({ url: ':memory:' });
    expect(none.admin.cacheStats()).toMatchObject({
      enabled: false,
      reason: expect.stringContaining('in-memory'),
    });

    const { cacheRoot } = folder();
    const memory = await openMemory({ url: ':memory:', cache: { path: cacheRoot } });
    const [id] = await workload(memory);
    await memory.episodes.get(id as string);
    expect((await memory.episodes.get(id as string))?.steps).toHaveLength(2);
    expect(memory.admin.cacheStats().keyspaces.episode.hits).toBe(1);
    expect(environments(cacheRoot)).toHaveLength(1);
    await memory.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(environments(cacheRoot)).toEqual([]);
  });

  it('keeps two databases in one folder apart', async () => {
    const { dir } = folder();
    const a = await openStore({ url: `file:${join(dir, 'a.db')}` });
    const b = await openStore({ url: `file:${join(dir, 'b.db')}` });
    await a.episodes.start({ taskType: 'testing', domain: 'web', context: 'only in a' });
    expect(await a.search.text({ text: 'only' })).toHaveLength(1);
    expect(await b.search.text({ text: 'only' })).toEqual([]);
    expect(environments(join(dir, 'cache'))).toHaveLength(2);
  });

  it('removes environments left from an earlier boot', async () => {
    const { url, cacheRoot } = folder();
    const earlier = join(cacheRoot, 'lmdb-v1-b00000000-d000000000000');
    mkdirSync(earlier, { recursive: true });
    writeFileSync(join(earlier, 'data.mdb'), 'left from before a reboot');
    const unrelated = join(cacheRoot, 'notes');
    mkdirSync(unrelated);
    await openStore({ url });
    if (existsSync('/proc/sys/kernel/random/boot_id')) expect(existsSync(earlier)).toBe(false);
    expect(existsSync(unrelated)).toBe(true);
  });

  it('goes on without the cache when a file takes the place of the cache folder while running', async () => {
    const { url, cacheRoot } = folder();
    const { warnings, logger } = recordingLogger();
    const store = await openStore({ url, logger });
    const [id] = await workload(store);
    await store.episodes.get(id as string);
    rmSync(cacheRoot, { recursive: true });
    writeFileSync(cacheRoot, 'not a folder');
    // The folder check runs on a timer too: an error there would end the process.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await store.episodes.logStep(id as string, { action: 'after the folder became a file' });
    expect((await store.episodes.get(id as string))?.steps).toHaveLength(3);
    expect(store.admin.cacheStats()).toMatchObject({ enabled: false });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Episodic cache: the cache folder was replaced and could not be opened again: .*Running without the cache/su,
      ),
    ]);
  });

  it('follows a cache folder deleted while running, so invalidations still reach every store', async () => {
    const { url, cacheRoot } = folder();
    const writer = await openStore({ url });
    const [id] = await workload(writer);
    await writer.episodes.get(id as string);
    rmSync(cacheRoot, { recursive: true });
    const reader = await openStore({ url }); // a store (or process) started after the deletion
    expect((await reader.episodes.get(id as string))?.steps).toHaveLength(2);
    await writer.episodes.logStep(id as string, { action: 'after the deletion' });
    expect((await reader.episodes.get(id as string))?.steps).toHaveLength(3);
  });
});
