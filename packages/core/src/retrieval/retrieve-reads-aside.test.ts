import { mkdirSync, renameSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { type Memory, openMemory } from '../open-memory.js';

const folders: { cleanup: () => void }[] = [];
const open: Memory[] = [];
afterEach(async () => {
  for (const memory of open.splice(0)) await memory.close();
  for (const folder of folders.splice(0)) folder.cleanup();
});

/** A store of `episodes` × `steps` steps, one episode in five about consumer lag; its warnings. */
async function storeOf(episodes: number, steps: number) {
  const folder = tempStoreFolder();
  folders.push(folder);
  const warnings: string[] = [];
  const memory = await openMemory({
    url: folder.url,
    cache: false,
    logger: { warn: (message) => warnings.push(message) },
  });
  open.push(memory);
  const lagging: string[] = [];
  for (let i = 0; i < episodes; i += 1) {
    const topic = i % 5 === 0 ? 'kafka consumer lag' : 'disk usage';
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: `${topic} ${i}`,
    });
    await memory.episodes.logSteps(
      episode.id,
      Array.from({ length: steps }, (_, j) => ({ action: `inspect ${topic} on host ${j}`, result: `${j}` })),
    );
    if (i % 5 === 0) lagging.push(episode.id);
  }
  return { folder, memory, warnings, lagging };
}

/** Moves the store's file away and puts a folder in its place: open connections keep working, new ones fail. */
function replaceFile(path: string): void {
  renameSync(path, `${path}-moved`);
  mkdirSync(path);
}

describe('a store of 10,000 step rows or more', () => {
  it('retrieve reads aside, and loses no answer when the read worker cannot open the file', async () => {
    // Below the threshold: no worker is started, so none can fail.
    const small = await storeOf(10, 20);
    const large = await storeOf(20, 500);
    replaceFile(small.folder.path);
    replaceFile(large.folder.path);
    const query = { text: 'kafka consumer lag', limit: 4 };
    const lag = (result: Awaited<ReturnType<Memory['search']['retrieve']>>) =>
      result.episodes.map((entry) => entry.episode.id);

    expect(lag(await small.memory.search.retrieve(query))).toEqual(expect.arrayContaining(small.lagging));
    const first = lag(await large.memory.search.retrieve(query));
    expect(first).toEqual(expect.arrayContaining(large.lagging));
    // The large store's retrieve started the worker; it fails on its own thread and says so.
    await vi.waitFor(() => expect(large.warnings).toEqual([expect.stringMatching(/read worker stopped/)]), {
      timeout: 30_000,
      interval: 50,
    });
    expect(lag(await large.memory.search.retrieve(query))).toEqual(first);
    expect(small.warnings).toEqual([]);
  }, 120_000);

  it('search.text reads its matches aside too, and answers inline when the worker cannot open the file', async () => {
    const small = await storeOf(10, 20);
    const large = await storeOf(20, 500);
    const query = { text: 'kafka consumer lag', limit: 5 };
    const hits = async (memory: Memory) =>
      (await memory.search.text(query)).map((hit) => hit.episode.id).toSorted();
    replaceFile(small.folder.path);
    replaceFile(large.folder.path);
    expect(await hits(small.memory)).toEqual(small.lagging.toSorted());
    expect(await hits(large.memory)).toEqual(large.lagging.toSorted());
    // The search started the worker: it fails on its own thread and says so.
    await vi.waitFor(() => expect(large.warnings).toEqual([expect.stringMatching(/read worker stopped/)]), {
      timeout: 30_000,
      interval: 50,
    });
    expect(await hits(large.memory)).toEqual(large.lagging.toSorted());
    expect(small.warnings).toEqual([]);
  }, 120_000);
});
