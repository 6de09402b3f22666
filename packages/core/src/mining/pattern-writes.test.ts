import { readFileSync } from 'node:fs';
import Libsql from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from './__fixtures__/test-miners.js';

type Store = Awaited<ReturnType<typeof openTempMemory>>;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const tools = Array.from({ length: 40 }, (_, i) => `tool_${i}`);
/** Steps through `tools` from `offset` with a stride of 1 to 9: runs share some action pairs, not all. */
const run = (offset: number, length: number) =>
  Array.from({ length }, (_, j) => ({
    action: `${tools[(offset + j * (1 + (offset % 9))) % tools.length]} x`,
  }));

async function record(memory: Store['memory'], offset: number, status: 'completed' | 'failed') {
  const { id } = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
  await memory.episodes.logSteps(id, run(offset, 40));
  await memory.episodes.complete(id, { status });
}

/** Empties the WAL, so that afterwards it holds only the pages written since. */
async function emptyWal(path: string): Promise<void> {
  const raw = new Libsql(path, { timeout: 10_000 });
  try {
    // Busy while the store's checkpoint worker runs its own checkpoint: try again after it.
    for (let attempt = 0; ; attempt += 1) {
      const [busy] = raw.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw(true).get() as number[];
      if (busy === 0) return;
      expect(attempt).toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    raw.close();
  }
}

/** The B-trees (tables and indexes) whose pages the WAL's current frames hold, with a page count each. */
function pagesInWal(path: string): Map<string, number> {
  const wal = readFileSync(`${path}-wal`);
  const pageSize = wal.readUInt32BE(8);
  // Frames left from before the WAL last restarted carry other salts.
  const salts = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  const pages: number[] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize)
    if (wal.readUInt32BE(at + 8) === salts[0] && wal.readUInt32BE(at + 12) === salts[1])
      pages.push(wal.readUInt32BE(at));
  const raw = new Libsql(path, { readonly: true });
  try {
    const owners = new Map(
      (raw.prepare('SELECT pageno, name FROM dbstat').raw(true).all() as [number, string][]).map(
        ([page, name]) => [page, name],
      ),
    );
    const byTree = new Map<string, number>();
    for (const page of new Set(pages)) {
      const name = owners.get(page) ?? '(free)';
      byTree.set(name, (byTree.get(name) ?? 0) + 1);
    }
    return byTree;
  } finally {
    raw.close();
  }
}

/** The indexes on `patterns` that hold `success_rate`, the evidence column listPatterns sorts by. */
const successRateIndexes = ['idx_patterns_success', 'idx_patterns_type_success', 'idx_patterns_domain_type'];

/**
 * Mining one more episode at 10,000 stored costs what the pages it writes cost: each goes to the
 * WAL and later into the file. These tests read the WAL of a real store to see which B-trees
 * learning one episode wrote.
 */
describe('the pages learning one episode writes', { timeout: 60_000 }, () => {
  /** The pages learning one more episode (`status`) writes, on a store that learned 60 successful ones. */
  async function pagesWrittenLearning(status: 'completed' | 'failed') {
    store = await openTempMemory({ miners: [createActionPairMiner()] });
    // Sixty runs over forty tools: hundreds of action pairs, so each index spans several pages.
    for (let i = 0; i < 60; i += 1) await record(store.memory, i, 'completed');
    await store.memory.learning.flush();
    const path = `${store.dir}/memory.db`;
    await emptyWal(path);
    await record(store.memory, 3, status);
    await store.memory.learning.flush();
    return pagesInWal(path);
  }

  it('rewrite no index on success_rate when the success rates stay the same', async () => {
    // Every pattern so far always succeeded: one more success adds support, not a new rate.
    const written = await pagesWrittenLearning('completed');
    expect(written.get('patterns')).toBeGreaterThan(0);
    for (const index of successRateIndexes) expect(written.get(index) ?? 0, index).toBe(0);
  });
});
