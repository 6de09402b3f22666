import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { MemoryConfig } from '../config.js';
import { openMemory } from '../open-memory.js';

// These tests choose the cache themselves, so they test it in both runs of the suite.
let store: Awaited<ReturnType<typeof openTempMemory>>;
const open = (config: MemoryConfig = {}) => openTempMemory({ cache: {}, ...config });
beforeEach(async () => {
  store = await open();
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

/** Changes the database behind the engine's back, as another tool or a bug would. */
async function rawSql(sql: string, args: (string | number)[] = []): Promise<void> {
  const raw = createClient({ url: store.url });
  await raw.execute({ sql, args });
  raw.close();
}

async function cachedEpisode(domain = 'web') {
  const episode = await store.memory.episodes.start({
    taskType: 'debugging',
    domain,
    context: 'login fails',
  });
  await store.memory.episodes.logSteps(episode.id, [{ action: 'read_file', result: 'ok' }]);
  await store.memory.episodes.get(episode.id); // fills the cache
  return episode;
}

/** A small deterministic embedding provider: letter counts. `gate` holds each call until it resolves. */
function letterEmbeddings(gate: () => Promise<void> = async () => undefined): EmbeddingProviderV1 {
  return {
    specificationVersion: 'v1',
    provider: 'test',
    model: 'letters',
    dimensions: 26,
    maxBatchSize: 16,
    deterministic: true,
    async embed(texts) {
      await gate();
      return texts.map((text) => {
        const vector = new Float32Array(26);
        for (const char of text.toLowerCase()) {
          const at = char.charCodeAt(0) - 97;
          if (at >= 0 && at < 26) vector[at] = (vector[at] ?? 0) + 1;
        }
        return vector;
      });
    },
  };
}

async function insertPattern(id: string, successRate: number) {
  await rawSql(
    `INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate, usage_count)
     VALUES (?, 'tool_sequence', 'web', '{"actions":["a","b"]}', ?, 0)`,
    [id, successRate],
  );
}

describe('read-through', () => {
  it('answers getEpisode from the cache, with the same value the database gives', async () => {
    const episode = await cachedEpisode();
    const uncached = await openTempMemory({ cache: false, url: store.url });
    const fromDatabase = await uncached.memory.episodes.get(episode.id);
    await uncached.close();
    // Behind the engine's back: only a cached copy can still say "login fails".
    await rawSql("UPDATE episodes SET context = 'changed behind our back' WHERE id = ?", [episode.id]);
    expect(await store.memory.episodes.get(episode.id)).toEqual(fromDatabase);
    expect(store.memory.admin.cacheStats().keyspaces.episode).toMatchObject({
      hits: 1,
      misses: 1,
      entries: 1,
      hitRate: 0.5,
    });
  });

  it('serves an entry until its TTL and the database after it', async () => {
    const start = Date.UTC(2030, 0, 1);
    vi.setSystemTime(start);
    await store.close();
    store = await open({ cache: { ttl: { episode: 60 } } });
    const episode = await cachedEpisode();
    await rawSql("UPDATE episodes SET context = 'changed' WHERE id = ?", [episode.id]);
    vi.setSystemTime(start + 59_000);
    expect((await store.memory.episodes.get(episode.id))?.context).toBe('login fails');
    vi.setSystemTime(start + 60_000);
    expect((await store.memory.episodes.get(episode.id))?.context).toBe('changed');
  });

  it('never gives a scoped caller a cached episode or pattern from another domain', async () => {
    const episode = await cachedEpisode('billing');
    await insertPattern('p-scope', 0.9);
    await store.memory.patterns.get('p-scope');
    expect(await store.memory.episodes.get(episode.id, { scope: { domains: ['web'] } })).toBeNull();
    expect(await store.memory.patterns.get('p-scope', { scope: { domains: ['billing'] } })).toBeNull();
    expect((await store.memory.episodes.get(episode.id, { scope: { domains: ['billing'] } }))?.id).toBe(
      episode.id,
    );
    expect((await store.memory.patterns.get('p-scope', { scope: { domains: ['web'] } }))?.id).toBe('p-scope');
    expect(store.memory.admin.cacheStats().keyspaces.episode.hits).toBe(1);
  });

  it("counts another domain's cached row as a miss, as an id nobody holds (the counters are store-wide)", async () => {
    // Pattern ids are hashes of what was mined: a scoped caller can compute the id another
    // domain's pattern would have, and `/metrics` shows the cache counters to anyone.
    const episode = await cachedEpisode('billing');
    await insertPattern('p-billing', 0.9);
    await rawSql("UPDATE patterns SET domain = 'billing' WHERE id = 'p-billing'");
    await store.memory.patterns.get('p-billing'); // cached
    const outsider = { scope: { domains: ['web'] } };
    const counters = () => {
      const { episode, pattern } = store.memory.admin.cacheStats().keyspaces;
      return { episode: [episode.hits, episode.misses], pattern: [pattern.hits, pattern.misses] };
    };
    const probe = async (episodeId: string, patternId: string) => {
      const before = counters();
      expect(await store.memory.episodes.get(episodeId, outsider)).toBeNull();
      expect(await store.memory.episodes.getJson(episodeId, outsider)).toBeNull();
      expect(await store.memory.patterns.get(patternId, outsider)).toBeNull();
      const after = counters();
      return {
        episode: after.episode.map((count, at) => count - (before.episode[at] ?? 0)),
        pattern: after.pattern.map((count, at) => count - (before.pattern[at] ?? 0)),
      };
    };
    const held = await probe(episode.id, 'p-billing');
    const nobodys = await probe(crypto.randomUUID(), 'p-nobody');
    expect(held).toEqual(nobodys);
    expect(held).toEqual({ episode: [0, 2], pattern: [0, 1] });
    // The owner still reads them from the cache.
    expect((await store.memory.patterns.get('p-billing', { scope: { domains: ['billing'] } }))?.id).toBe(
      'p-billing',
    );
    expect(store.memory.admin.cacheStats().keyspaces.pattern.hits).toBe(1);
  });

  it('caches search results per caller scope, sharing them between texts that search alike', async () => {
    await cachedEpisode('web');
    await cachedEpisode('billing');
    const all = await store.memory.search.text({ text: 'login' });
    const web = await store.memory.search.text({ text: 'login' }, { scope: { domains: ['web'] } });
    expect(all.map((hit) => hit.episode.domain).sort()).toEqual(['billing', 'web']);
    expect(web.map((hit) => hit.episode.domain)).toEqual(['web']);
    expect(await store.memory.search.text({ text: '  LOGIN ' }, { scope: { domains: ['web'] } })).toEqual(
      web,
    );
    expect(await store.memory.search.text({ text: 'login' })).toEqual(all);
    expect(store.memory.admin.cacheStats().keyspaces.query).toMatchObject({ hits: 2, misses: 2 });
  });

  it("keeps search results apart for stores that pick a text's words differently, sharing one cache folder", async () => {
    for (const context of ['alpha outage', 'beta outage']) {
      const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web', context });
      await store.memory.episodes.complete(episode.id, { status: 'completed' });
    }
    // The same database and cache folder, searching only a text's rarest word.
    const narrow = await openMemory({ url: store.url, cache: {}, retrieval: { maxQueryTerms: 1 } });
    try {
      const few = await narrow.search.text({ text: 'alpha beta' });
      expect(few).toHaveLength(1);
      expect(await store.memory.search.text({ text: 'alpha beta' })).toHaveLength(2);
    } finally {
      await narrow.close();
    }
  });
});

describe('no stale read after a write', () => {
  const writes = {
    logSteps: (id: string) => store.memory.episodes.logSteps(id, [{ action: 'edit_file' }]),
    logStep: (id: string) => store.memory.episodes.logStep(id, { action: 'edit_file' }),
    completeEpisode: (id: string) =>
      store.memory.episodes.complete(id, { status: 'completed', successRate: 0.7 }),
    archiveEpisode: (id: string) => store.memory.episodes.archive(id),
  };

  it.each(Object.keys(writes) as (keyof typeof writes)[])(
    '%s: getEpisode right after it sees the change',
    async (write) => {
      const episode = await cachedEpisode();
      await writes[write](episode.id);
      const after = await store.memory.episodes.get(episode.id);
      const raw = createClient({ url: store.url });
      const row = (
        await raw.execute({
          sql: 'SELECT status, (SELECT count(*) FROM steps WHERE episode_id = ?) AS n FROM episodes WHERE id = ?',
          args: [episode.id, episode.id],
        })
      ).rows[0];
      raw.close();
      expect(after?.status).toBe(row?.status);
      expect(after?.steps).toHaveLength(Number(row?.n));
    },
  );

  it('a refused write leaves the cached results in place', async () => {
    const episode = await cachedEpisode();
    await store.memory.search.text({ text: 'login' });
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
    await store.memory.search.text({ text: 'login' });
    await expect(store.memory.episodes.complete(episode.id, { status: 'failed' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await store.memory.search.text({ text: 'login' });
    expect(store.memory.admin.cacheStats().keyspaces.query).toMatchObject({ hits: 1, misses: 2 });
  });

  it('search results change with logged steps and new episodes', async () => {
    const episode = await cachedEpisode();
    expect(await store.memory.search.text({ text: 'timeout' })).toEqual([]);
    await store.memory.episodes.logStep(episode.id, {
      action: 'run_tests',
      result: 'Error: timeout after 5s',
    });
    expect((await store.memory.search.text({ text: 'timeout' })).map((hit) => hit.episode.id)).toEqual([
      episode.id,
    ]);
    const other = await store.memory.episodes.start({
      taskType: 'testing',
      domain: 'web',
      context: 'flaky timeout',
    });
    expect(await store.memory.search.text({ text: 'timeout' })).toHaveLength(2);
    expect((await store.memory.search.text({ text: 'timeout' })).map((hit) => hit.episode.id)).toContain(
      other.id,
    );
  });

  it('a deletion made elsewhere is seen once it is reported through invalidateCache', async () => {
    const episode = await cachedEpisode();
    await store.memory.search.text({ text: 'login' });
    await rawSql('DELETE FROM episodes WHERE id = ?', [episode.id]);
    expect((await store.memory.episodes.get(episode.id))?.id).toBe(episode.id); // the stale copy
    store.memory.admin.invalidateCache({ episodes: [episode.id] });
    expect(await store.memory.episodes.get(episode.id)).toBeNull();
    expect(await store.memory.search.text({ text: 'login' })).toEqual([]);
  });

  it('a pattern update reaches getPattern and listPatterns: usage feedback, and an outside change reported', async () => {
    await insertPattern('p1', 0.5);
    const episode = await cachedEpisode();
    expect((await store.memory.patterns.get('p1'))?.usageCount).toBe(0);
    expect((await store.memory.patterns.list({ type: 'tool_sequence' })).items[0]?.usageCount).toBe(0);
    await store.memory.patterns.recordUsage('p1', { episodeId: episode.id, helped: true });
    expect((await store.memory.patterns.get('p1'))?.usageCount).toBe(1);
    expect((await store.memory.patterns.list({ type: 'tool_sequence' })).items[0]?.usageCount).toBe(1);

    await rawSql("UPDATE patterns SET success_rate = 0.9 WHERE id = 'p1'");
    expect((await store.memory.patterns.get('p1'))?.successRate).toBe(0.5); // the stale copy
    store.memory.admin.invalidateCache({ patterns: [{ type: 'tool_sequence', id: 'p1' }] });
    expect((await store.memory.patterns.get('p1'))?.successRate).toBe(0.9);
    expect((await store.memory.patterns.list({ type: 'tool_sequence' })).items[0]?.successRate).toBe(0.9);
    expect(store.memory.admin.cacheStats().keyspaces.pattern.hits).toBeGreaterThan(0);
  });

  it('patterns a remine deleted are gone from getPattern and listPatterns', async () => {
    await rawSql(
      `INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate, usage_count, support, successes)
       VALUES ('mined', 'tool_sequence', 'web', '{"actions":["a"]}', 0.5, 0, 3, 2)`,
    );
    expect((await store.memory.patterns.get('mined'))?.support).toBe(3);
    expect((await store.memory.patterns.list({ type: 'tool_sequence' })).items).toHaveLength(1);
    await store.memory.admin.remine(); // no episode supports it any more
    expect(await store.memory.patterns.get('mined')).toBeNull();
    expect((await store.memory.patterns.list({ type: 'tool_sequence' })).items).toEqual([]);
  });

  it('an episode the embedder stamps in the background is not left cached without its stamp', async () => {
    let embedding!: () => void;
    const embedCalled = new Promise<void>((resolve) => (embedding = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const provider = letterEmbeddings(async () => {
      embedding();
      await released;
    });
    await store.close();
    store = await open({ embeddings: provider });
    const episode = await cachedEpisode();
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
    await embedCalled;
    // Another caller reads while the embedder works: the completed episode, not yet stamped, is cached.
    expect((await store.memory.episodes.get(episode.id))?.embeddingVersion).toBeNull();
    release();
    await store.memory.learning.flush();
    expect((await store.memory.episodes.get(episode.id))?.embeddingVersion).toBe(
      store.memory.admin.embeddingModel(),
    );
  });

  it('episodes restamped by reindex are read with their new stamp', async () => {
    const episode = await cachedEpisode();
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
    expect((await store.memory.episodes.get(episode.id))?.embeddingVersion).toBeNull();
    await store.memory.admin.reindex(letterEmbeddings());
    expect((await store.memory.episodes.get(episode.id))?.embeddingVersion).toBe('test/letters/26');
  });
});
