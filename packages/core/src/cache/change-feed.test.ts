import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from '../__fixtures__/folder-bytes.js';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { type Memory, openMemory } from '../open-memory.js';
import type { EpisodeWithSteps } from '../types.js';

const otherHost = fileURLToPath(new URL('./__fixtures__/other-host.ts', import.meta.url));
const forgetOnOtherHost = fileURLToPath(new URL('./__fixtures__/forget-on-other-host.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Opens a store whose cache is its own folder, as a store on its own host has. */
async function openOnHost(url: string, cachePath: string, feedIntervalMs: number): Promise<Memory> {
  const memory = await openMemory({ url, cache: { path: cachePath, feedIntervalMs } });
  cleanups.push(() => memory.close());
  return memory;
}

function scratch() {
  const folder = tempStoreFolder();
  cleanups.push(folder.cleanup);
  const raw = createClient({ url: folder.url, intMode: 'number' });
  cleanups.push(() => raw.close());
  return { ...folder, raw, cacheOf: (host: string) => join(folder.dir, `cache-${host}`) };
}

/** Reads until `done` holds, for at most `timeoutMs`: the feed is read on a timer. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(50);
    value = await read();
  }
  return value;
}

const actions = (episode: EpisodeWithSteps | null) => episode?.steps.map((step) => step.action) ?? [];

async function cachedEpisode(memory: Memory, context: string) {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web', context });
  await memory.episodes.logStep(episode.id, { action: 'first' });
  await memory.episodes.get(episode.id);
  const hits = memory.admin.cacheStats().keyspaces.episode.hits;
  await memory.episodes.get(episode.id);
  expect(memory.admin.cacheStats().keyspaces.episode.hits).toBe(hits + 1); // it is cached
  return episode;
}

describe('the change feed keeps caches on other hosts in step', () => {
  it('drops a value another host changed within the feed interval, query results included', async () => {
    const { url, cacheOf } = scratch();
    const memory = await openOnHost(url, cacheOf('a'), 100);
    const episode = await cachedEpisode(memory, 'checkout fails');
    expect(await memory.search.text({ text: 'second' })).toEqual([]);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', otherHost, url, cacheOf('b'), episode.id, 'second'],
      { cwd: packageRoot },
    );
    expect(stdout).toBe('written\n');

    const seen = await eventually(
      () => memory.episodes.get(episode.id),
      (value) => actions(value).length === 2,
    );
    expect(actions(seen)).toEqual(['first', 'second']);
    expect(seen?.status).toBe('completed');
    expect((await memory.search.text({ text: 'second' })).map((hit) => hit.episode.id)).toEqual([episode.id]);
    const { changeFeed } = memory.admin.cacheStats();
    expect(changeFeed).toMatchObject({ intervalMs: 100, failing: false });
    expect(Date.now() - Date.parse(changeFeed?.lastReadAt ?? '')).toBeLessThan(10_000);
  }, 60_000);

  it('drops what SQL by hand changed, and what changed while no store of this host was open', async () => {
    const { url, raw, cacheOf } = scratch();
    let memory = await openOnHost(url, cacheOf('a'), 100);
    const episode = await cachedEpisode(memory, 'before');
    await raw.execute({ sql: "UPDATE episodes SET context = 'by hand' WHERE id = ?", args: [episode.id] });
    const seen = await eventually(
      () => memory.episodes.get(episode.id),
      (value) => value?.context === 'by hand',
    );
    expect(seen?.context).toBe('by hand');

    await memory.close();
    await raw.execute({
      sql: "UPDATE episodes SET context = 'while closed' WHERE id = ?",
      args: [episode.id],
    });
    // A feed read on a timer would pass this test without the catch-up at open: never wait for one.
    memory = await openOnHost(url, cacheOf('a'), 3_600_000);
    expect((await memory.episodes.get(episode.id))?.context).toBe('while closed');
  }, 60_000);

  it('does not drop, a moment later, what the store cached after its own write', async () => {
    const { url, cacheOf } = scratch();
    const memory = await openOnHost(url, cacheOf('a'), 20);
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await memory.episodes.logStep(episode.id, { action: 'first' });
    await memory.episodes.get(episode.id); // a miss: filled after the write
    await sleep(300); // several feed reads, each of which would find the write's rows
    const hits = memory.admin.cacheStats().keyspaces.episode.hits;
    await memory.episodes.get(episode.id);
    expect(memory.admin.cacheStats().keyspaces.episode.hits).toBe(hits + 1);
  }, 60_000);
});

describe('a forget on another host', () => {
  it('leaves none of the forgotten text in this host’s cache file once its purge ran', async () => {
    const { url, cacheOf } = scratch();
    const memory = await openOnHost(url, cacheOf('a'), 100);
    const episode = await cachedEpisode(memory, 'checkout fails for PELICAN7741');
    expect(filesHolding(cacheOf('a'), 'PELICAN7741')).not.toEqual([]); // so the check below can fail

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', forgetOnOtherHost, url, cacheOf('b'), episode.id],
      { cwd: packageRoot },
    );
    expect(stdout).toBe('forgotten 1, purge done\n');

    const holding = await eventually(
      async () => filesHolding(cacheOf('a'), 'PELICAN7741'),
      (files) => files.length === 0,
    );
    expect(holding).toEqual([]);
    expect(await memory.episodes.get(episode.id)).toBeNull();
  }, 60_000);
});

describe('its own pattern writes', () => {
  it('do not drop, a moment later, what the store cached after mining', async () => {
    const { url, cacheOf } = scratch();
    const memory = await openMemory({
      url,
      cache: { path: cacheOf('a'), feedIntervalMs: 20 },
      miners: [createActionPairMiner()],
    });
    cleanups.push(() => memory.close());
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await memory.episodes.logSteps(episode.id, [{ action: 'read' }, { action: 'edit' }]);
    await memory.episodes.complete(episode.id, { status: 'completed' });
    await memory.learning.flush();
    const [pattern] = (await memory.patterns.list()).items;
    expect(pattern).toBeDefined();
    await memory.patterns.get(pattern?.id ?? ''); // a miss: filled after mining wrote it
    await sleep(300); // several feed reads, each of which would find mining's rows
    const hits = memory.admin.cacheStats().keyspaces.pattern.hits;
    await memory.patterns.get(pattern?.id ?? '');
    expect(memory.admin.cacheStats().keyspaces.pattern.hits).toBe(hits + 1);
  }, 60_000);
});

describe('a store without a cache', () => {
  it('follows no feed, and its writes reach the caches of stores that have one', async () => {
    const { url, cacheOf } = scratch();
    const cached = await openOnHost(url, cacheOf('a'), 100);
    const uncached = await openMemory({ url, cache: false });
    cleanups.push(() => uncached.close());
    expect(uncached.admin.cacheStats().changeFeed).toBeNull();
    const episode = await cachedEpisode(cached, 'before');
    await uncached.episodes.logStep(episode.id, { action: 'second' });
    const seen = await eventually(
      () => cached.episodes.get(episode.id),
      (value) => actions(value).length === 2,
    );
    expect(actions(seen)).toEqual(['first', 'second']);
  }, 60_000);
});

describe('a cache the feed cannot bring up to date drops everything', () => {
  /** Changes `id`'s context by hand, and returns the feed row that says so. */
  async function changeByHand(raw: Client, id: string, context: string) {
    await raw.execute({ sql: 'UPDATE episodes SET context = ? WHERE id = ?', args: [context, id] });
    return Number((await raw.execute('SELECT MAX(seq) AS seq FROM change_feed')).rows[0]?.seq);
  }

  it('when rows it had not read were pruned', async () => {
    const { url, raw, cacheOf } = scratch();
    // Reads only after its own writes: the test decides when.
    const memory = await openOnHost(url, cacheOf('a'), 3_600_000);
    const episode = await cachedEpisode(memory, 'before');
    const other = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    const row = await changeByHand(raw, episode.id, 'pruned');
    await changeByHand(raw, other.id, 'a later change, kept');
    await raw.execute({ sql: 'DELETE FROM change_feed WHERE seq <= ?', args: [row] });
    await memory.episodes.start({ taskType: 'debugging', domain: 'web' }); // reads the feed
    expect((await memory.episodes.get(episode.id))?.context).toBe('pruned');
  });

  it('when more than 50,000 rows came since it last read, and only then', async () => {
    const { url, raw, cacheOf } = scratch();
    const memory = await openOnHost(url, cacheOf('a'), 3_600_000);
    const untouched = await cachedEpisode(memory, 'untouched');
    const hitsOn = async () => {
      const before = memory.admin.cacheStats().keyspaces.episode.hits;
      await memory.episodes.get(untouched.id);
      return memory.admin.cacheStats().keyspaces.episode.hits - before;
    };
    const fill = (rows: number) =>
      raw.execute(`INSERT INTO change_feed (key) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL
        SELECT i + 1 FROM n WHERE i < ${rows}) SELECT 'episode:other-' || i FROM n`);
    await fill(49_000);
    await memory.episodes.start({ taskType: 'debugging', domain: 'web' }); // reads the feed
    expect(await hitsOn()).toBe(1); // applied key by key: its entry stays
    await fill(50_001);
    await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    expect(await hitsOn()).toBe(0); // too far behind: everything dropped
  }, 60_000);

  it('when the feed is behind what it applied (the database was replaced by an older copy)', async () => {
    const { url, raw, cacheOf } = scratch();
    const memory = await openOnHost(url, cacheOf('a'), 3_600_000);
    const other = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await memory.episodes.logSteps(other.id, [{ action: 'a' }, { action: 'b' }, { action: 'c' }]);
    const episode = await cachedEpisode(memory, 'before');
    // The copy's feed ends before the rows this cache applied (6 of them).
    await raw.execute('DELETE FROM change_feed');
    await changeByHand(raw, episode.id, 'older copy');
    await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    expect((await memory.episodes.get(episode.id))?.context).toBe('older copy');
  });
});
