import { type Client, createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { docBodyChars, rebuildEpisodeDocs } from './episode-docs.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 6; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: `disk alert ${i} on host ${i % 2 === 0 ? 'alpha' : 'beta'}`,
    });
    // Steps in several batches: the episode's row is replaced after each.
    for (let batch = 0; batch < 3; batch += 1) {
      await store.memory.episodes.logSteps(episode.id, [
        { action: `df -h batch ${batch}`, result: i % 3 === 0 ? 'disk full on /var' : 'plenty of space' },
      ]);
    }
  }
});
afterAll(() => store.close());

/** Each matching document's BM25, read beside the store. */
async function scores(url = store.url, query = '"disk" OR "full" OR "alpha"'): Promise<string[]> {
  const raw = createClient({ url });
  try {
    const rows = await raw.execute({
      sql: `SELECT rowid, bm25(episode_docs_fts) AS rank FROM episode_docs_fts
            WHERE episode_docs_fts MATCH ? ORDER BY rank, rowid`,
      args: [query],
    });
    return rows.rows.map((row) => `${row.rowid}:${Number(row.rank).toFixed(9)}`);
  } finally {
    raw.close();
  }
}

describe('episode_docs_fts', () => {
  it('scores episodes whose steps came in several batches exactly as a fresh index would', async () => {
    const incremental = await scores();
    expect(incremental).toHaveLength(6);
    const raw = createClient({ url: store.url });
    for (const statement of rebuildEpisodeDocs) await raw.execute(statement);
    raw.close();
    expect(await scores()).toEqual(incremental);
  });
});

describe('a long episode’s document', () => {
  /** How many documents hold the marker of step `i` (`marker{i}`), read beside the store. */
  async function holding(raw: Client, i: number): Promise<number> {
    const rows = await raw.execute({
      sql: 'SELECT count(*) AS n FROM episode_docs_fts WHERE episode_docs_fts MATCH ?',
      args: [`marker${i}`],
    });
    return Number(rows.rows[0]?.n);
  }

  /** Which of the first `count` step markers the documents hold. */
  async function markersHeld(url: string, count: number): Promise<number[]> {
    const raw = createClient({ url });
    try {
      const held: number[] = [];
      for (let i = 1; i <= count; i += 1) if ((await holding(raw, i)) > 0) held.push(i);
      return held;
    } finally {
      raw.close();
    }
  }

  /** An episode appended to a step at a time, by `logStep` or (as the OTLP receiver does) `record`. */
  async function longEpisode(
    memory: typeof store.memory,
    steps: number,
    onAppend?: (n: number) => Promise<void>,
    via: 'logStep' | 'record' = 'logStep',
  ) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: 'a long run',
    });
    for (let i = 1; i <= steps; i += 1) {
      const step = { action: `check marker${i}`, result: 'still failing' };
      if (via === 'logStep') await memory.episodes.logStep(episode.id, step);
      else
        await memory.episodes.record([
          { id: episode.id, taskType: 'debugging', domain: 'ops', steps: [step] },
        ]);
      await onAppend?.(i);
    }
    return episode.id;
  }

  it.each(['logStep', 'record'] as const)(
    'is re-indexed on every append up to 64 steps, then as the count grows by a quarter, never below 80% (%s)',
    async (via) => {
      await using long = await openTempMemory();
      const raw = createClient({ url: long.url });
      let reindexed = 0;
      try {
        // An append re-indexed the document when the document holds the step just logged.
        const onAppend = async (n: number) => {
          if ((await holding(raw, n)) > 0) reindexed += 1;
        };
        await longEpisode(long.memory, 300, onAppend, via);
      } finally {
        raw.close();
      }
      // 64 eager appends, then at 80, 100, 125, 157, 196, 245 steps (the old code: all 300).
      expect(reindexed).toBeGreaterThanOrEqual(64);
      expect(reindexed).toBeLessThanOrEqual(72);
      const held = await markersHeld(long.url, 300);
      expect(held.length).toBeGreaterThanOrEqual(240);
      expect(held).toEqual(Array.from({ length: held.length }, (_, i) => i + 1));
    },
  );

  it('holds every step once the episode ends: completed, archived, or recorded with its outcome', async () => {
    await using long = await openTempMemory();
    const completed = await longEpisode(long.memory, 90);
    await long.memory.episodes.complete(completed, { status: 'failed' });
    const archived = await longEpisode(long.memory, 90);
    await long.memory.episodes.archive(archived);
    const recorded = await longEpisode(long.memory, 90);
    await long.memory.episodes.record([
      { id: recorded, taskType: 'debugging', domain: 'ops', outcome: { status: 'completed' } },
    ]);
    // Each episode's markers are the same words: every one of the 90 is in all three documents.
    const raw = createClient({ url: long.url });
    try {
      for (let i = 1; i <= 90; i += 1) expect(await holding(raw, i), `marker${i}`).toBe(3);
    } finally {
      raw.close();
    }
    // And it scores as a fresh index of the same text would.
    const before = await scores(long.url, 'marker90 OR failing');
    const client = createClient({ url: long.url });
    for (const statement of rebuildEpisodeDocs) await client.execute(statement);
    client.close();
    expect(await scores(long.url, 'marker90 OR failing')).toEqual(before);
  });

  it('holds at most docBodyChars of step text, each step its share, also when a record replaces the context', async () => {
    await using big = await openTempMemory();
    // 40 results of 64,000 characters: 2.5 M, past the bound; each begins with its step's marker
    // and ends with a word of its own.
    const steps = Array.from({ length: 40 }, (_, i) => ({
      action: `dump marker${i + 1}`,
      result: `marker${i + 1} ${'x'.repeat(63_980)} tail${i + 1}`,
    }));
    const id = '3b9d7f1e-5a2c-4e8b-9d0f-7c1e3a5b9d21';
    const part = { id, taskType: 'debugging' as const, domain: 'ops' };
    await big.memory.episodes.record([{ ...part, context: 'a big dump', steps }]);
    const raw = createClient({ url: big.url });
    try {
      const body = async () =>
        Number(
          (await raw.execute({ sql: 'SELECT max(length(body)) AS n FROM episode_docs_fts', args: [] }))
            .rows[0]?.n,
        );
      const tails = async () => {
        let held = 0;
        for (let i = 1; i <= 40; i += 1) {
          const rows = await raw.execute({
            sql: 'SELECT count(*) AS n FROM episode_docs_fts WHERE episode_docs_fts MATCH ?',
            args: [`tail${i}`],
          });
          held += Number(rows.rows[0]?.n);
        }
        return held;
      };
      expect(await body()).toBeLessThanOrEqual(docBodyChars + 40);
      expect(await markersHeld(big.url, 40)).toHaveLength(40);
      expect(await tails()).toBe(0);
      // The context replaced (the trigger re-indexes the document): the same bound.
      await big.memory.episodes.record([{ ...part, context: 'a bigger dump' }]);
      expect(await body()).toBeLessThanOrEqual(docBodyChars + 40);
      expect(await markersHeld(big.url, 40)).toHaveLength(40);
      expect(await tails()).toBe(0);
      // Every step is still searchable whole, one by one.
      const match = await big.memory.search.text({ text: 'tail37', domain: 'ops' });
      expect(match[0]?.matches.some((m) => m.source === 'step' && m.stepNumber === 37)).toBe(true);
    } finally {
      raw.close();
    }
  });

  it('holds every step once retention archives the active episode', async () => {
    await using long = await openTempMemory();
    await longEpisode(long.memory, 90);
    const now = new Date(Date.now() + 3 * 86_400_000);
    expect(await long.memory.admin.retention({ ops: { archiveAfterDays: 1 } }, { now })).toMatchObject({
      archived: { ops: 1 },
    });
    expect(await markersHeld(long.url, 90)).toHaveLength(90);
  });
});
