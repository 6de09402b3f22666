import { type Client, createClient, type InStatement } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { encodeVector, normalize } from './vector-codec.js';
import { VectorIndex } from './vector-index.js';

const dimensions = 48;
const stamp = 'test/random/48';
const domains = ['alpha', 'beta', 'gamma'];
const taskTypes = ['debugging', 'testing'];

let seed = 12_345;
function random(): number {
  seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
  return seed / 4_294_967_296;
}
const centres = Array.from({ length: 12 }, () =>
  Float32Array.from({ length: dimensions }, () => random() - 0.5),
);
function clusteredVector(): Float32Array {
  const centre = centres[Math.floor(random() * centres.length)] as Float32Array;
  return normalize(Float32Array.from(centre, (value) => value + (random() - 0.5) * 0.6));
}

interface Stored {
  episodeId: string;
  domain: string;
  taskType: string;
  createdAt: string;
  vector: Float32Array;
}

let store: Awaited<ReturnType<typeof openTempMemory>>;
let raw: Client;
let db: Database;
const stored: Stored[] = [];

function episodeId(n: number): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

async function insertEpisodes(from: number, count: number): Promise<void> {
  const statements: InStatement[] = [];
  for (let n = from; n < from + count; n += 1) {
    const entry: Stored = {
      episodeId: episodeId(n),
      domain: domains[n % domains.length] as string,
      taskType: taskTypes[n % taskTypes.length] as string,
      createdAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
      vector: clusteredVector(),
    };
    stored.push(entry);
    statements.push(
      {
        sql: `INSERT INTO episodes (id, task_type, domain, status, created_at) VALUES (?, ?, ?, 'completed', ?)`,
        args: [entry.episodeId, entry.taskType, entry.domain, entry.createdAt],
      },
      {
        sql: `INSERT INTO embeddings (id, episode_id, content, embedding, model_name, kind) VALUES (?, ?, '', ?, ?, 'episode')`,
        args: [`${entry.episodeId}-v`, entry.episodeId, encodeVector(entry.vector), stamp],
      },
    );
  }
  await raw.batch(statements, 'write');
}

function exactTop(query: Float32Array, keep: (entry: Stored) => boolean, k: number): string[] {
  return stored
    .filter(keep)
    .map((entry) => ({
      id: entry.episodeId,
      score: entry.vector.reduce((sum, value, i) => sum + value * (query[i] as number), 0),
    }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((entry) => entry.id);
}

beforeAll(async () => {
  store = await openTempMemory();
  raw = createClient({ url: store.url });
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
  // Past the matrix's first capacity (1,024 rows), so growing is exercised.
  await insertEpisodes(0, 2_500);
});
afterAll(async () => {
  await db.close();
  raw.close();
  await store.close();
});

describe('VectorIndex', () => {
  it('finds the same top 10 as an exact scan, with exact similarities', async () => {
    const index = new VectorIndex(db, stamp, dimensions);
    await index.sync();
    expect(index.size).toBe(2_500);
    for (let q = 0; q < 20; q += 1) {
      const query = clusteredVector();
      const hits = index.search(query, {}, 10);
      expect(hits.map((hit) => hit.episodeId)).toEqual(exactTop(query, () => true, 10));
      const best = stored.find((entry) => entry.episodeId === hits[0]?.episodeId) as Stored;
      expect(hits[0]?.similarity).toBeCloseTo(
        best.vector.reduce((sum, value, i) => sum + value * (query[i] as number), 0),
        5,
      );
    }
  });

  it('scans only the allowed domains, task type and time range', async () => {
    const index = new VectorIndex(db, stamp, dimensions);
    await index.sync();
    const query = clusteredVector();
    const since = stored[1000]?.createdAt as string;
    const until = stored[2000]?.createdAt as string;
    const filtered = index.search(
      query,
      {
        domains: ['beta', 'gamma'],
        taskType: 'testing',
        sinceMs: Date.parse(since),
        untilMs: Date.parse(until),
      },
      10,
    );
    expect(filtered.map((hit) => hit.episodeId)).toEqual(
      exactTop(
        query,
        (e) =>
          e.domain !== 'alpha' && e.taskType === 'testing' && e.createdAt >= since && e.createdAt < until,
        10,
      ),
    );
    expect(index.search(query, { domains: [] }, 10)).toEqual([]);
    expect(index.search(query, { domains: ['nowhere'] }, 10)).toEqual([]);
  });

  it('picks up rows inserted since the last sync, and drops deleted rows without reloading', async () => {
    const index = new VectorIndex(db, stamp, dimensions);
    await index.sync();
    await insertEpisodes(2_500, 3);
    await index.sync();
    expect(index.size).toBe(2_503);
    const newest = stored[stored.length - 1] as Stored;
    expect(index.search(newest.vector, {}, 1)[0]?.episodeId).toBe(newest.episodeId);

    await raw.execute({ sql: 'DELETE FROM embeddings WHERE episode_id = ?', args: [newest.episodeId] });
    stored.pop();
    await index.sync();
    expect(index.size).toBe(2_502);
    expect(index.reloads).toBe(1);
    expect(index.search(newest.vector, {}, 1)[0]?.episodeId).not.toBe(newest.episodeId);
    expect(index.search(newest.vector, { domains: [newest.domain] }, 1)[0]?.episodeId).not.toBe(
      newest.episodeId,
    );
    expect(index.episodeVector(newest.episodeId)).toBeNull();

    // SQLite gives the deleted top rowid to the next insert: the index must still pick it up.
    await insertEpisodes(2_503, 1);
    await index.sync();
    const reused = stored[stored.length - 1] as Stored;
    expect(index.size).toBe(2_503);
    expect(index.search(reused.vector, {}, 1)[0]?.episodeId).toBe(reused.episodeId);
    expect(index.reloads).toBe(1);
  });

  it('compacts in memory once many rows are deleted, and still finds the exact top 10', async () => {
    const index = new VectorIndex(db, stamp, dimensions);
    await index.sync();
    const before = index.stats();
    // A third of the episodes go, in a few deletions, as a retention sweep would delete them.
    const doomed = stored.filter((_, n) => n % 3 === 1);
    for (let i = 0; i < doomed.length; i += 200) {
      const part = doomed.slice(i, i + 200).map((entry) => entry.episodeId);
      await raw.execute({
        sql: `DELETE FROM embeddings WHERE episode_id IN (${part.map(() => '?').join(', ')})`,
        args: part,
      });
      await index.sync();
    }
    const gone = new Set(doomed.map((entry) => entry.episodeId));
    const kept = stored.filter((entry) => !gone.has(entry.episodeId));
    expect(index.size).toBe(kept.length);
    expect(index.reloads).toBe(1);
    expect(index.stats().bytes).toBeLessThan(before.bytes);
    for (const entry of kept.slice(0, 5)) {
      const hits = index.search(entry.vector, {}, 10).map((hit) => hit.episodeId);
      const exact = kept
        .map((other) => ({
          id: other.episodeId,
          score: other.vector.reduce((sum, value, i) => sum + value * (entry.vector[i] as number), 0),
        }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10)
        .map((other) => other.id);
      expect(hits).toEqual(exact);
    }
    // Put them back for the tests that follow.
    await raw.batch(
      doomed.map((entry) => ({
        sql: `INSERT INTO embeddings (id, episode_id, content, embedding, model_name, kind) VALUES (?, ?, '', ?, ?, 'episode')`,
        args: [`${entry.episodeId}-w`, entry.episodeId, encodeVector(entry.vector), stamp],
      })),
      'write',
    );
  });

  it('compacts inside the memory it holds: a store deleting as fast as it adds allocates no new matrix', async () => {
    const index = new VectorIndex(db, stamp, dimensions);
    await index.sync();
    const doomed = stored.filter((_, n) => n % 3 === 2);
    const gone = new Set(doomed.map((entry) => entry.episodeId));
    await raw.execute({
      sql: `DELETE FROM embeddings WHERE episode_id IN (${doomed.map(() => '?').join(', ')})`,
      args: [...gone],
    });
    const before = process.memoryUsage().arrayBuffers;
    await index.sync();
    const allocatedKb = (process.memoryUsage().arrayBuffers - before) / 1024;
    // A new matrix grown from 1,024 rows took ~1.2 MB of arrays here, and ~20 MB per compaction at
    // the soak's ~4,000 vectors of 384 dimensions: garbage, and native memory, every half minute.
    expect(allocatedKb).toBeLessThan(64);
    expect(index.reloads).toBe(1);
    expect(index.size).toBe(stored.length - doomed.length);
    for (const entry of stored.filter((_, n) => n % 3 !== 2).slice(0, 5)) {
      expect(index.search(entry.vector, {}, 10).map((hit) => hit.episodeId)).toEqual(
        exactTop(entry.vector, (other) => !gone.has(other.episodeId), 10),
      );
      expect(index.episodeVector(entry.episodeId)).not.toBeNull();
    }
    await raw.batch(
      doomed.map((entry) => ({
        sql: `INSERT INTO embeddings (id, episode_id, content, embedding, model_name, kind) VALUES (?, ?, '', ?, ?, 'episode')`,
        args: [`${entry.episodeId}-x`, entry.episodeId, encodeVector(entry.vector), stamp],
      })),
      'write',
    );
    // Rows added after a compaction land after the kept ones, and are found.
    await index.sync();
    expect(index.size).toBe(stored.length);
    const back = doomed[0] as Stored;
    expect(index.search(back.vector, {}, 1)[0]?.episodeId).toBe(back.episodeId);
  });

  it('ignores vectors of another stamp', async () => {
    await raw.execute({
      sql: `INSERT INTO embeddings (id, episode_id, content, embedding, model_name) VALUES ('other', ?, '', ?, 'other/model/48')`,
      args: [episodeId(0), encodeVector(clusteredVector())],
    });
    const index = new VectorIndex(db, stamp, dimensions);
    await index.sync();
    expect(index.size).toBe(stored.length);
    await raw.execute("DELETE FROM embeddings WHERE id = 'other'");
  });

  it('lets other work run between the pages of a load (2,000 rows each)', async () => {
    const index = new VectorIndex(db, stamp, dimensions);
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    // Without a turn of the event loop between pages, a load holds the thread to its end.
    expect(await index.sync().then(() => turned)).toBe(true);
    expect(index.size).toBe(stored.length);
  });

  it('leaves a row written while it loads to the next sync, and holds it once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gated: Database = {
      ...db,
      read: async (statement) => {
        const sql = typeof statement === 'string' ? statement : statement.sql;
        if (sql.includes('FROM embeddings em')) await gate;
        return db.read(statement);
      },
    };
    const index = new VectorIndex(gated, stamp, dimensions);
    const loading = index.sync();
    // The sync has read the table's newest row and waits at its first page: one more is written.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await insertEpisodes(10_000, 1);
    release();
    await loading;
    await index.sync();
    expect(index.size).toBe(stored.length);
    const newest = stored[stored.length - 1] as Stored;
    expect(index.search(newest.vector, {}, 2).map((hit) => hit.episodeId)).toEqual([
      newest.episodeId,
      expect.not.stringMatching(newest.episodeId),
    ]);
  });

  it('filters an id forgotten and used again by what the new episode is, not the old one', async () => {
    const index = new VectorIndex(db, stamp, dimensions);
    await index.sync();
    // Below the newest rows and a small share of them: the index keeps its tables, no compaction.
    const old = stored[500] as Stored;
    await raw.batch(
      [
        { sql: 'DELETE FROM embeddings WHERE episode_id = ?', args: [old.episodeId] },
        { sql: 'DELETE FROM episodes WHERE id = ?', args: [old.episodeId] },
      ],
      'write',
    );
    await index.sync();
    const reborn: Stored = {
      episodeId: old.episodeId,
      domain: domains.find((domain) => domain !== old.domain) as string,
      taskType: taskTypes.find((taskType) => taskType !== old.taskType) as string,
      createdAt: new Date(Date.UTC(2027, 0, 1)).toISOString(),
      vector: clusteredVector(),
    };
    stored[500] = reborn;
    await raw.batch(
      [
        {
          sql: `INSERT INTO episodes (id, task_type, domain, status, created_at) VALUES (?, ?, ?, 'completed', ?)`,
          args: [reborn.episodeId, reborn.taskType, reborn.domain, reborn.createdAt],
        },
        {
          sql: `INSERT INTO embeddings (id, episode_id, content, embedding, model_name, kind) VALUES (?, ?, '', ?, ?, 'episode')`,
          args: [`${reborn.episodeId}-v`, reborn.episodeId, encodeVector(reborn.vector), stamp],
        },
      ],
      'write',
    );
    await index.sync();
    const filter = { domains: [reborn.domain], taskType: reborn.taskType, sinceMs: Date.UTC(2027, 0, 1) };
    expect(index.search(reborn.vector, filter, 1).map((hit) => hit.episodeId)).toEqual([reborn.episodeId]);
    expect(index.search(reborn.vector, { taskType: old.taskType }, 1)[0]?.episodeId).not.toBe(
      reborn.episodeId,
    );
  });
});
