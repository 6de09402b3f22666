import type { InStatement, Transaction } from '@libsql/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory, testLocalDriver } from '../__fixtures__/temp-store.js';
import { createAuditLog } from '../audit/audit-log.js';
import { type Database, openDatabase } from '../db/database.js';
import type { EngineContext } from '../engine-context.js';
import { createEpisodeWrites } from '../episodes/episode-writes.js';
import { TermCounts } from './term-counts.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let inner: Database;
let counts: TermCounts;
let writes: ReturnType<typeof createEpisodeWrites>;
/** The terms of every document-count statement read through the handle, in order. */
const counted: string[][] = [];
const asked = ['kafka', 'rebalance', 'quota', 'zebra', 'nowhere'];

/** What FTS5's vocabulary says now, read directly. */
async function direct(table: 'episode_docs_fts' | 'steps_fts', term: string): Promise<number> {
  const result = await inner.read({ sql: `SELECT doc FROM ${table}_vocab WHERE term = ?`, args: [term] });
  return Number(result.rows[0]?.doc ?? 0);
}

/** `counts.both(asked)`, checked against FTS5's own counts, and the terms it had to count. */
async function countAsked(): Promise<string[]> {
  counted.length = 0;
  const both = await counts.both(asked);
  expect(both.docs).toEqual(await Promise.all(asked.map((term) => direct('episode_docs_fts', term))));
  expect(both.steps).toEqual(await Promise.all(asked.map((term) => direct('steps_fts', term))));
  return counted.flat();
}

beforeAll(async () => {
  store = await openTempMemory();
  for (let i = 0; i < 4; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: `kafka consumer lag ${i}`,
    });
    await store.memory.episodes.logSteps(episode.id, [{ action: 'inspect', result: `rebalance storm ${i}` }]);
  }
  inner = await openDatabase({
    url: store.url,
    busyTimeoutMs: 5000,
    synchronous: 'normal',
    localDriver: testLocalDriver,
  });
  const read = (statement: InStatement) => {
    if (typeof statement !== 'string' && statement.sql.includes('json_each'))
      counted.push(JSON.parse(String((statement.args as unknown[])[0])) as string[]);
    return inner.read(statement);
  };
  const db: Database = { ...inner, read };
  const context: EngineContext = {
    db,
    config: store.memory.config,
    schemas: store.memory.schemas,
    audit: createAuditLog(db, store.memory.config.logger),
  };
  // The engine's own writes and counts, wired as `openMemory` wires them, on a handle that sees what is counted.
  counts = new TermCounts(db);
  writes = createEpisodeWrites(context, { learners: () => [], counts });
});

beforeEach(async () => {
  await countAsked();
});

afterAll(async () => {
  await inner.close();
  await store.close();
});

describe('term counts across writes', () => {
  it("follow a new episode's and a logged step's words exactly, counting none of them again", async () => {
    expect(await countAsked()).toEqual([]);
    const episode = await writes.startEpisode({ taskType: 'debugging', domain: 'ops', context: 'kafka lag' });
    expect(await countAsked()).toEqual([]);
    // "kafka" was in the episode's document already; "quota" twice in one step is one row.
    await writes.appendSteps(episode.id, [
      { action: 'raise quota', result: 'Zebra-stripe quota raised for kafka' },
      { action: 'inspect' },
    ]);
    expect(await countAsked()).toEqual([]);
    await writes.appendSteps(episode.id, [
      { action: 'inspect', result: 'quota fine' },
      { action: 'inspect', result: 'quota fine again, rebalance done' },
    ]);
    expect(await countAsked()).toEqual([]);
  });

  it('follow steps sent with ids, and keep every count when one is sent again (a retry)', async () => {
    const episode = await writes.startEpisode({ taskType: 'debugging', domain: 'ops', context: 'retry' });
    const step = { id: '0b5e9c1e-3f7a-4c2d-9a61-7d2f4e8b1c03', action: 'inspect', result: 'zebra seen' };
    await writes.appendSteps(episode.id, [step]);
    expect(await countAsked()).toEqual([]);
    // The retry is one: nothing is written, every count stays.
    await writes.appendSteps(episode.id, [step]);
    expect(await countAsked()).toEqual([]);
  });

  it("follow records exactly: a new episode, a replaced context's words leaving, retried and late steps", async () => {
    const id = '5f0c2a7e-8b1d-4e3a-9c6f-2d7b1e0a4c95';
    const part = { id, taskType: 'debugging', domain: 'ops' };
    await writes.recordEpisodes([{ ...part, context: 'quota lag' }]);
    expect(await countAsked()).toEqual([]);
    // A later part replaces the context: "quota" leaves the document, "zebra" comes with a step.
    const step = { id: '9d4b7c2e-1a3f-4e5b-8c6d-0f2a9b7e3d14', action: 'inspect', result: 'zebra seen' };
    await writes.recordEpisodes([{ ...part, context: 'consumer lag', steps: [step] }]);
    expect(await countAsked()).toEqual([]);
    // The step again (an exporter's retry), metadata and the outcome: nothing new is indexed.
    await writes.recordEpisodes([
      { ...part, steps: [step], metadata: { part: 3 }, outcome: { status: 'completed' } },
    ]);
    expect(await countAsked()).toEqual([]);
    // A step after the outcome comes too late: not stored.
    await writes.recordEpisodes([{ ...part, steps: [{ action: 'inspect', result: 'quota late' }] }]);
    expect(await countAsked()).toEqual([]);
  });

  it('follow a long episode exactly, its steps counted as they come and its document on its schedule', async () => {
    const episode = await writes.startEpisode({ taskType: 'debugging', domain: 'ops', context: 'long lag' });
    // Past 64 steps an append re-indexes the document only now and then (`docRefreshDue`); the
    // words of the steps between come into the step counts at once, into the document later.
    // `countAsked` checks every count against FTS5's after each append; the appends after which
    // they had to be read again are the re-indexing ones past 64 steps (there is one: step 80).
    const readAgain: number[] = [];
    for (let i = 1; i <= 90; i += 1) {
      const result = i === 70 ? 'zebra crossing' : i === 85 ? 'quota nowhere' : `plain ${i}`;
      await writes.appendSteps(episode.id, [{ action: 'inspect', result }]);
      if ((await countAsked()).length > 0) readAgain.push(i);
    }
    expect(readAgain).toEqual([80]);
    // Completing re-indexes it whole, untracked: its state changed, so the counts are read again.
    await writes.completeEpisode(episode.id, { status: 'completed' });
    expect((await countAsked()).sort()).toEqual([...asked].sort());
    expect(await countAsked()).toEqual([]);
  });

  it('stay exact when a record adds to or ends a long episode whose document waits for its steps', async () => {
    const id = '7a1e3c5b-2d4f-4b6a-8e9c-1f3a5b7d9e20';
    const part = { id, taskType: 'debugging', domain: 'ops' };
    await writes.recordEpisodes([{ ...part, context: 'long lag' }]);
    for (let i = 1; i <= 70; i += 1)
      await writes.appendSteps(id, [
        { action: 'inspect', result: i === 68 ? 'zebra crossing' : `plain ${i}` },
      ]);
    await countAsked();
    // A replaced context re-indexes the whole document, steps 65 to 70 ("zebra") included.
    await writes.recordEpisodes([
      { ...part, context: 'kafka lag', steps: [{ action: 'inspect', result: 'quota' }] },
    ]);
    await countAsked();
    for (let i = 1; i <= 30; i += 1)
      await writes.recordEpisodes([{ ...part, steps: [{ action: `step ${i}` }] }]);
    await countAsked();
    await writes.recordEpisodes([{ ...part, outcome: { status: 'completed' } }]);
    await countAsked();
  });

  it('count again when a document reaches its bound and its steps are clipped, words leaving it', async () => {
    const episode = await writes.startEpisode({
      taskType: 'debugging',
      domain: 'ops',
      context: 'big output',
    });
    // Results of 64,000 characters, "zebra" at the end of the first: 32 steps fit in the
    // document's 2 Mi characters; past them every step keeps its first 1/n of them, and "zebra" leaves.
    const batch = (from: number) =>
      Array.from({ length: 8 }, (_, i) => ({
        action: `dump ${from + i}`,
        result: `${'x'.repeat(63_994)}${from + i === 1 ? ' zebra' : ' plain'}`,
      }));
    for (let from = 1; from <= 25; from += 8) {
      await writes.appendSteps(episode.id, batch(from));
      expect(await countAsked()).toEqual([]);
    }
    const holding = await direct('episode_docs_fts', 'zebra');
    await writes.appendSteps(episode.id, batch(33));
    expect(await direct('episode_docs_fts', 'zebra')).toBe(holding - 1);
    // `countAsked` compares each count with FTS5's: the words were read again, and are right.
    expect(await countAsked()).toEqual(asked);
  });

  it('count again the words that may enter or leave a document holding non-ASCII words', async () => {
    const id = '2c8e4f1a-7b3d-4a5e-9f0c-6d1b8e2a7c43';
    const part = { id, taskType: 'debugging', domain: 'ops' };
    await writes.recordEpisodes([
      { ...part, context: 'quota', steps: [{ action: 'greet', result: 'Grüße' }] },
    ]);
    expect(await countAsked()).toEqual(asked);
    // Its steps hold a non-ASCII word, so which words they hold is not known here: the words that
    // come in with the new context ("zebra") and leave with the old one ("quota") are counted again.
    await writes.recordEpisodes([{ ...part, context: 'zebra' }]);
    expect(await countAsked()).toEqual(['quota', 'zebra']);
  });

  it('count every word again when another writer changed the indexes in between', async () => {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: 'zebra crossing',
    });
    await writes.appendSteps(episode.id, [{ action: 'inspect', result: 'nothing asked' }]);
    expect(await countAsked()).toEqual(asked);
  });

  it('count every word again after text FTS5 may fold differently (non-ASCII words)', async () => {
    const episode = await writes.startEpisode({ taskType: 'debugging', domain: 'ops', context: 'Zürich' });
    expect(await countAsked()).toEqual(asked);
    // Curly quotes and dashes are not word characters; the document holds "Zürich": the written
    // words are counted again, the others kept.
    await writes.appendSteps(episode.id, [{ action: 'inspect', result: 'plain “quota” — zebra' }]);
    expect(await countAsked()).toEqual(['quota', 'zebra']);
  });

  it("are not tracked across a remote store's writes, which read no index state", async () => {
    // The same file behind a handle that says it is remote: each statement would be a round trip.
    const statements: string[] = [];
    const text = (statement: InStatement) => (typeof statement === 'string' ? statement : statement.sql);
    const remote: Database = {
      ...counts.db,
      location: { kind: 'remote' },
      write: (section) =>
        inner.write((tx) =>
          section({
            ...tx,
            execute: (statement) => {
              statements.push(text(statement));
              return tx.execute(statement);
            },
            batch: (batch) => {
              statements.push(...batch.map(text));
              return tx.batch(batch);
            },
          } as Transaction),
        ),
    };
    const context: EngineContext = {
      db: remote,
      config: store.memory.config,
      schemas: store.memory.schemas,
      audit: createAuditLog(remote, store.memory.config.logger),
    };
    const remoteWrites = createEpisodeWrites(context, { learners: () => [], counts });
    const episode = await remoteWrites.startEpisode({
      taskType: 'debugging',
      domain: 'ops',
      context: 'remote',
    });
    await remoteWrites.appendSteps(episode.id, [{ action: 'inspect', result: 'nothing asked' }]);
    expect(statements.some((sql) => sql.includes('_data WHERE id = 1') || sql.includes("'flush'"))).toBe(
      false,
    );
    expect(statements.some((sql) => sql.includes('INSERT INTO steps'))).toBe(true);
    expect(await countAsked()).toEqual(asked);
  });

  it('count every word again after a delete', async () => {
    const episode = await writes.startEpisode({
      taskType: 'debugging',
      domain: 'ops',
      context: 'short lived',
    });
    await countAsked();
    await store.memory.admin.forget({ episodeIds: [episode.id] });
    expect(await countAsked()).toEqual(asked);
  });
});
