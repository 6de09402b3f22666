import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { type Database, openDatabase } from '../db/database.js';
import { embeddingStamp } from './embedding-stamp.js';
import { normalize } from './vector-codec.js';
import { VectorIndex } from './vector-index.js';

const embeddings = createTestEmbeddings({ dimensions: 64 });
let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
const ids: string[] = [];

beforeAll(async () => {
  store = await openTempMemory({ embeddings: embeddings.provider });
  for (let i = 0; i < 5; i += 1) {
    const episode = await store.memory.episodes.start({
      taskType: 'debugging',
      domain: 'ops',
      context: `cache miss ${i}`,
    });
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
    await store.memory.learning.flush();
    ids.push(episode.id);
  }
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

describe('VectorIndex.whenSynced', () => {
  it('runs a search only after a concurrent reload has finished, never on a half-loaded index', async () => {
    // The page loads of the index wait on `gate` once it is set.
    let release: () => void = () => undefined;
    let gate: Promise<void> | null = null;
    const gated: Database = {
      ...db,
      read: async (statement) => {
        const sql = typeof statement === 'string' ? statement : statement.sql;
        if (gate !== null && sql.includes('FROM embeddings em')) await gate;
        return db.read(statement);
      },
    };
    const index = new VectorIndex(gated, embeddingStamp(embeddings.provider), 64);
    await index.sync();
    expect(index.size).toBe(5);

    // Deletions elsewhere whose log was pruned past what the index has seen: the next sync cannot
    // drop them one by one, so it resets the index and reloads it.
    const raw = createClient({ url: store.url });
    await raw.execute({
      sql: 'DELETE FROM episodes WHERE id IN (?, ?)',
      args: [ids[0] as string, ids[1] as string],
    });
    await raw.execute(
      'DELETE FROM embedding_deletions WHERE seq = (SELECT MIN(seq) FROM embedding_deletions)',
    );
    raw.close();
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const reloading = index.sync();
    const query = normalize((await embeddings.provider.embed(['cache miss']))[0] as Float32Array);
    const searched = index.whenSynced(() => index.search(query, {}, 10));
    // Let the reload reach its gated page read: the index is empty meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(index.size).toBe(0);
    release();
    await reloading;
    expect((await searched).map((hit) => hit.episodeId).sort()).toEqual(ids.slice(2).sort());
  });
});
