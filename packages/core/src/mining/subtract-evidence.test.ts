import type { PatternMinerV1 } from '@episodic/plugin';
import { type Client, createClient, type Transaction } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { everythingOf, patternsOf } from './__fixtures__/mining-scripts.js';
import { type Evidence, emptyEvidence } from './evidence.js';
import { refoldEvidence } from './refold-evidence.js';
import { subtractEvidence } from './subtract-evidence.js';
import { forgottenContributions } from './unmine.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Integer measurements: `size` (the step count, a wide range) and `odd` (0 or 1), for every
 * episode (`all`), for those of 4 steps or more (`long`) and for those of exactly 4 (`four`).
 */
const integerMiner: PatternMinerV1<{ kind: string }> = {
  specificationVersion: 'v1',
  patternType: 'integers',
  history: 'none',
  dataSchema: z.strictObject({ kind: z.string() }),
  mine: ({ episode, succeeded }) => {
    const size = episode.steps.length;
    const measurements = { size, odd: size % 2 };
    const kinds = ['all', ...(size >= 4 ? ['long'] : []), ...(size === 4 ? ['four'] : [])];
    return kinds.map((kind) => ({ data: { kind }, success: succeeded, measurements }));
  },
};

/** Step counts and outcomes, in mining order; episode 0 and 3 are the ones forgotten. */
const runs: [number, 'completed' | 'failed'][] = [
  [2, 'completed'], // the smallest `all`, shared with episode 2: its minimum stays
  [5, 'failed'],
  [2, 'completed'],
  [4, 'completed'], // the smallest `long` and its only size 4; the whole of `four`
  [7, 'failed'],
  [3, 'completed'],
  [9, 'completed'],
  [6, 'failed'],
];

async function storeWithRuns() {
  const store = await openTempMemory({ miners: [integerMiner as PatternMinerV1] });
  const raw: Client = createClient({ url: store.url, intMode: 'number' });
  cleanups.push(
    () => store.close(),
    () => raw.close(),
  );
  const ids: string[] = [];
  for (const [size, status] of runs) {
    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await store.memory.episodes.logSteps(
      episode.id,
      Array.from({ length: size }, (_, i) => ({ action: `step_${i}` })),
    );
    await store.memory.episodes.complete(episode.id, { status });
    await store.memory.learning.flush();
    ids.push(episode.id);
  }
  const byKind = new Map(
    (await patternsOf(raw)).map((row) => [JSON.parse(String(row.pattern_data)).kind as string, row]),
  );
  // Usage feedback a forget must keep.
  await store.memory.patterns.recordUsage(String(byKind.get('all')?.id), {
    episodeId: ids[5]!,
    helped: true,
  });
  return { store, raw, ids, byKind };
}

/** Statements that read links, and the rows they returned. */
function counting(tx: Transaction) {
  const read = { statements: 0, rows: 0 };
  const count = (sql: string, rows: number) => {
    if (!/FROM episode_patterns l/.test(sql)) return;
    read.statements += 1;
    read.rows += rows;
  };
  const wrapped = {
    execute: async (statement) => {
      const result = await tx.execute(statement);
      count(typeof statement === 'string' ? statement : statement.sql, result.rows.length);
      return result;
    },
    batch: async (statements) => {
      const results = await tx.batch(statements);
      statements.forEach((statement, index) =>
        count(typeof statement === 'string' ? statement : statement.sql, results[index]?.rows.length ?? 0),
      );
      return results;
    },
  } as Pick<Transaction, 'execute' | 'batch'> as Transaction;
  return { tx: wrapped, read };
}

describe('subtractEvidence', () => {
  const stored = (measurements: Evidence['measurements'], orderFree: boolean | null): Evidence => ({
    ...emptyEvidence(),
    support: 3,
    successes: 2,
    measurements,
    orderFree,
  });
  const removed = [{ success: true, measurements: { n: 4 }, times: 1 }];

  it('subtracts only from evidence whose fold is order-free and exact', () => {
    const totals = { n: { count: 3, sum: 9, min: 1, max: 4 } };
    expect(subtractEvidence(stored(totals, null), removed)).toBeNull();
    expect(subtractEvidence(stored(totals, false), removed)).toBeNull();
    const huge = { n: { count: 3, sum: 3 * 2 ** 52, min: 2 ** 52, max: 2 ** 52 } };
    expect(
      subtractEvidence(stored(huge, true), [{ ...removed[0]!, measurements: { n: 2 ** 52 } }]),
    ).toBeNull();
    expect(subtractEvidence(stored(totals, true), [{ ...removed[0]!, measurements: { m: 4 } }])).toBeNull();
    expect(subtractEvidence(stored(totals, true), removed)).toEqual({
      evidence: { ...stored({ n: { count: 2, sum: 5, min: 1, max: 4 } }, true), support: 2, successes: 1 },
      probes: [{ key: 'n', value: 4 }],
    });
  });

  it('derives the extremes of values one apart from the sum, and keeps equal extremes', () => {
    const flags = { n: { count: 3, sum: 1, min: 0, max: 1 } };
    expect(subtractEvidence(stored(flags, true), [{ ...removed[0]!, measurements: { n: 1 } }])).toMatchObject(
      {
        evidence: { support: 2, successes: 1, measurements: { n: { count: 2, sum: 0, min: 0, max: 0 } } },
        probes: [],
      },
    );
    const same = { n: { count: 3, sum: 12, min: 4, max: 4 } };
    expect(subtractEvidence(stored(same, true), removed)).toMatchObject({
      evidence: { measurements: { n: { count: 2, sum: 8, min: 4, max: 4 } } },
      probes: [],
    });
  });
});

describe('forget subtracts the contributions of order-free patterns', { timeout: 60_000 }, () => {
  it('reads no link of a pattern whose extremes stay, and leaves what a fold of its links gives', async () => {
    const { raw, ids, byKind } = await storeWithRuns();
    expect([...byKind.values()].map((row) => row.order_free)).toEqual([1, 1, 1]);
    const patternIds = [...byKind.values()].map((row) => String(row.id));

    /** The pattern rows after a refold without episodes 0 and 3, with or without subtracting. */
    const refolded = async (subtract: boolean) => {
      const tx = await raw.transaction('write');
      try {
        await tx.execute('CREATE TEMP TABLE IF NOT EXISTS gone (id TEXT PRIMARY KEY)');
        await tx.execute({ sql: 'INSERT INTO gone (id) VALUES (?), (?)', args: [ids[0]!, ids[3]!] });
        const removed = subtract ? await forgottenContributions(tx, 'gone') : new Map();
        const { tx: counted, read } = counting(tx);
        const report = await refoldEvidence(counted, patternIds, 'gone', removed);
        const rows = (await tx.execute('SELECT * FROM patterns ORDER BY id')).rows.map(
          ({ updated_at, ...row }) => row,
        );
        return { read, report, rows };
      } finally {
        await tx.rollback();
      }
    };
    const subtracted = await refolded(true);
    const folded = await refolded(false);
    expect(subtracted.rows).toEqual(folded.rows);
    expect(subtracted.report).toEqual(folded.report);
    expect(subtracted.report.removed).toBe(1); // `four`
    // Folding reads every remaining link of the three patterns, one row per distinct contribution.
    expect(folded.read.rows).toBe(6 + 4);
    // Subtracting: `all` keeps its smallest size (episode 2 has it: one probe, one row); `long`
    // loses its only size 4, so its 4 remaining links are folded; `four` is gone, nothing read.
    expect(subtracted.read).toEqual({ statements: 3, rows: 1 + 0 + 4 });
    const after = Object.fromEntries(
      subtracted.rows.map((row) => [JSON.parse(String(row.pattern_data)).kind, row]),
    );
    expect(after.all).toMatchObject({ support: 6, successes: 3, usage_count: 1, helped_count: 1 });
    expect(JSON.parse(String(after.all?.measurements))).toEqual({
      size: { count: 6, sum: 32, min: 2, max: 9 },
      odd: { count: 6, sum: 4, min: 0, max: 1 },
    });
    expect(JSON.parse(String(after.long?.measurements))).toMatchObject({ size: { min: 5, max: 9 } });
  });

  it('leaves exactly what a remine of the remaining episodes builds', async () => {
    const { store, raw, ids } = await storeWithRuns();
    for (const selector of [
      { episodeIds: [ids[0]!, ids[3]!] },
      { episodeIds: [ids[6]!] },
      { episodeIds: [ids[1]!] },
    ]) {
      await store.memory.admin.forget(selector);
      const afterForget = await everythingOf(raw);
      await store.memory.admin.remine();
      expect(afterForget).toEqual(await everythingOf(raw));
    }
  });
});
