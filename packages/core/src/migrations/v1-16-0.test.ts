import { type Client, createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempStoreFolder, testLocalDriver } from '../__fixtures__/temp-store.js';
import { allFtsTables } from '../maintenance/fts-tables.js';
import { type Memory, openMemory } from '../open-memory.js';
import { crisismerge, segmentCounts } from '../search/__fixtures__/fts-segments.js';
import { undoChangeFeed } from './__fixtures__/undo-change-feed.js';

const words =
  'timeout socket retry cache index merge token parser schema deploy gateway invoice billing queue worker lock commit branch render layout'.split(
    ' ',
  );
const text = (seed: number, length: number) =>
  Array.from({ length }, (_, k) => words[(seed * 7 + k * 3 + ((seed * k) % 5)) % words.length]).join(' ');

/** `count` episodes as an agent writes them: start, its steps, complete (three write transactions). */
async function writeEpisodes(memory: Memory, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += 1) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'api',
      context: `episode ${i}: ${text(i, 6)}`,
    });
    await memory.episodes.logSteps(episode.id, [
      { action: `read ${text(i + 1, 2)}`, result: text(i + 2, 12), success: true },
      { action: `edit ${text(i + 3, 2)}`, result: text(i + 4, 8), success: i % 3 !== 0 },
    ]);
    await memory.episodes.complete(episode.id, { status: 'completed' });
  }
}

/** Sets `crisismerge` back to FTS5's default in every index, as a store before 1.16.0 has it. */
async function defaultCrisismerge(client: Client): Promise<void> {
  for (const table of allFtsTables)
    await client.execute(`INSERT INTO ${table} (${table}, rank) VALUES ('crisismerge', 16)`);
}

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(url: string): Promise<Memory> {
  return openMemory({ url, cache: false, localDriver: testLocalDriver });
}

function rawClient(url: string): Client {
  const client = createClient({ url, intMode: 'number' });
  cleanups.push(() => client.close());
  return client;
}

/** Most segments any full-text index may hold after the writes below; 1.15.0 stores held 9–16. */
const bound = 6;
const episodes = 60;

describe('1.16.0: full-text indexes merge small segments as they are written', () => {
  // The same episodes written into a store as 1.15.0 kept it and into one as 1.16.0 keeps it.
  const before = tempStoreFolder();
  const after = tempStoreFolder();
  let old: Memory;
  let current: Memory;

  beforeAll(async () => {
    cleanups.push(before.cleanup, after.cleanup);
    await (await open(before.url)).close();
    await defaultCrisismerge(rawClient(before.url));
    old = await open(before.url);
    current = await open(after.url);
    cleanups.push(
      () => old.close(),
      () => current.close(),
    );
    await writeEpisodes(old, 0, episodes);
    await writeEpisodes(current, 0, episodes);
    // The same creation dates in both, so recency scores the same.
    for (const url of [before.url, after.url])
      await rawClient(url).execute(
        "UPDATE episodes SET created_at = '2026-01-01T00:00:00.000Z', completed_at = '2026-01-01T00:00:00.000Z'",
      );
  }, 120_000);

  it(`keeps every index at ${bound} segments or fewer after ${episodes} episodes`, async () => {
    const counts = await segmentCounts(rawClient(after.url));
    for (const table of allFtsTables) expect(counts[table], table).toBeLessThanOrEqual(bound);
    expect(await crisismerge(rawClient(after.url))).toEqual([2, 2, 2, 2]);
    // Without the setting the same writes leave more: what the bound is there to catch.
    const oldCounts = await segmentCounts(rawClient(before.url));
    expect(oldCounts.steps_fts + oldCounts.episode_docs_fts).toBeGreaterThan(
      counts.steps_fts + counts.episode_docs_fts,
    );
  });

  it('ranks the same episodes with the same scores, to the last bit', async () => {
    const contextOf = async (memory: Memory, query: string) => {
      const result = await memory.search.retrieve({ text: query, at: '2026-02-01T00:00:00.000Z', limit: 10 });
      return result.episodes.map(({ episode, score, why }) => ({ context: episode.context, score, why }));
    };
    for (const query of [
      'socket timeout on the gateway',
      'billing invoice queue',
      'merge lock commit',
      text(5, 4),
    ]) {
      const expected = await contextOf(old, query);
      expect(expected.length).toBeGreaterThan(0);
      expect(await contextOf(current, query)).toEqual(expected);
    }
  });
});

describe('1.16.0 on a 1.15.0 store', () => {
  it('sets crisismerge 2 in every index, and the next write merges the segments written before', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    await (await open(folder.url)).close();
    await defaultCrisismerge(rawClient(folder.url));
    let memory = await open(folder.url);
    await writeEpisodes(memory, 0, 30);
    await memory.close();
    // The file as 1.15.0 left it: no crisismerge setting, 1.16.0 not recorded.
    const raw = rawClient(folder.url);
    for (const table of allFtsTables)
      await raw.execute(`DELETE FROM ${table}_config WHERE k = 'crisismerge'`);
    await raw.execute("DELETE FROM schema_migrations WHERE version IN ('1.16.0', '1.17.0', '1.18.0')");
    await raw.execute('ALTER TABLE patterns DROP COLUMN order_free');
    await raw.execute('ALTER TABLE mined_episodes DROP COLUMN steps');
    await raw.execute('ALTER TABLE mined_episodes DROP COLUMN duration_ms');
    await undoChangeFeed(raw);
    expect(await crisismerge(raw)).toEqual([null, null, null, null]);
    const written = await segmentCounts(raw);
    expect(written.steps_fts).toBeGreaterThan(bound);

    memory = await open(folder.url);
    cleanups.push(() => memory.close());
    expect(memory.migration).toMatchObject({
      from: '1.15.0',
      applied: [
        '1.16.0',
        '1.17.0',
        '1.18.0',
        '1.19.0',
        '1.20.0',
        '1.21.0',
        '1.22.0',
        '1.23.0',
        '1.24.0',
        '1.25.0',
        '1.26.0',
      ],
    });
    expect(await crisismerge(raw)).toEqual([2, 2, 2, 2]);
    // Opening leaves the segments as they were; the next episode's writes merge them.
    expect(await segmentCounts(raw)).toEqual(written);
    await writeEpisodes(memory, 30, 1);
    const merged = await segmentCounts(raw);
    for (const table of allFtsTables) expect(merged[table], table).toBeLessThanOrEqual(bound);
  }, 60_000);
});
