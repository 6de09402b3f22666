import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTempMemory, testCacheEnabled } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { VectorIndex } from '../embeddings/vector-index.js';
import type { Logger } from '../logger.js';
import { type Memory, openMemory } from '../open-memory.js';
import type { Episode } from '../types.js';

type Store = Awaited<ReturnType<typeof openTempMemory>>;

const embeddings = createTestEmbeddings({ dimensions: 256 });
const warnings: string[] = [];
const logger: Logger = { warn: (message) => warnings.push(message) };
let store: Store;
let memory: Memory;
const episodes: Record<string, Episode> = {};

async function record(
  name: string,
  start: { taskType: string; domain: string; context: string },
  steps: { action: string; result: string; success: boolean }[],
  successRate = 1,
) {
  const episode = await memory.episodes.start(start);
  await memory.episodes.logSteps(episode.id, steps);
  episodes[name] = await memory.episodes.complete(episode.id, {
    status: successRate >= 0.5 ? 'completed' : 'failed',
    successRate,
  });
  await memory.learning.flush();
}

const ids = (result: Awaited<ReturnType<Memory['search']['retrieve']>>) =>
  result.episodes.map((entry) => entry.episode.id);

beforeAll(async () => {
  store = await openTempMemory({ embeddings: embeddings.provider, logger });
  memory = store.memory;
  await record(
    'timeouts',
    { taskType: 'debugging', domain: 'api', context: 'Gateway timeouts on the orders endpoint' },
    [
      { action: 'http_request GET /orders', result: 'HTTP 504 after 30000 ms', success: false },
      { action: 'edit_file db/pool.ts', result: 'raised the pool size from 5 to 20', success: true },
    ],
  );
  // A long episode whose only trace of the error is one failed step among many.
  await record(
    'socket',
    { taskType: 'testing', domain: 'api', context: 'Nightly integration suite' },
    [
      ...Array.from({ length: 30 }, (_, i) => ({
        action: `run_tests shard ${i}`,
        result: `shard ${i}: 40 passed`,
        success: true,
      })),
      {
        action: 'run_tests shard 31',
        result: 'ECONNRESET socket hang up while fetching invoices from billing',
        success: false,
      },
    ],
    0.9,
  );
  await record(
    'other-domain',
    { taskType: 'debugging', domain: 'secret', context: 'Gateway timeouts on the orders endpoint again' },
    [{ action: 'http_request GET /orders', result: 'HTTP 504 after 30000 ms', success: false }],
    0,
  );
  await record(
    'css',
    { taskType: 'refactoring', domain: 'web', context: 'Move the checkout styles to CSS modules' },
    [{ action: 'edit_file checkout.css', result: 'split into three modules', success: true }],
  );
});
afterAll(() => store.close());

describe('retrieve', () => {
  it('fuses full text and vector similarity, and every result explains its score', async () => {
    const result = await memory.search.retrieve({ text: 'gateway timeout on orders', domain: 'api' });
    expect(result.signals).toMatchObject({
      text: { used: true },
      vector: { used: true, reason: null, model: 'test/trigrams-v1/256' },
    });
    const [best] = result.episodes;
    expect(best?.episode.id).toBe(episodes.timeouts?.id);
    expect(best?.why.text).toMatchObject({ rank: 1 });
    expect(best?.why.vector).toMatchObject({ rank: 1, matchedIn: 'episode' });
    for (const entry of result.episodes) {
      const { text, vector, recency, outcome } = entry.why;
      expect(entry.score).toBeCloseTo(
        (text?.contribution ?? 0) +
          (vector?.contribution ?? 0) +
          (entry.why.expansion?.contribution ?? 0) +
          recency.contribution +
          outcome.contribution,
        10,
      );
    }
  });

  it('finds an inflected word that full text alone misses, through the vectors', async () => {
    // FTS5 has no stemming: "timeouts" is not "timeout", but their character trigrams overlap.
    const text = 'timeout happened';
    expect((await memory.search.text({ text, domain: 'api' })).map((hit) => hit.episode.id)).toEqual([]);
    const result = await memory.search.retrieve({ text, domain: 'api' });
    expect(ids(result)[0]).toBe(episodes.timeouts?.id);
    expect(result.episodes[0]?.why).toMatchObject({ text: null, vector: { rank: 1 } });
    // Excluded, it is not found through the vectors either.
    const excluded = await memory.search.retrieve({
      text,
      domain: 'api',
      exclude: [episodes.timeouts?.id ?? ''],
    });
    expect(ids(excluded)).not.toContain(episodes.timeouts?.id);
  });

  it('answers "have we seen this error before?" from a failed step of a long episode', async () => {
    const result = await memory.search.retrieve({ text: 'socket hang up ECONNRESET when fetching invoices' });
    expect(ids(result)[0]).toBe(episodes.socket?.id);
    expect(result.episodes[0]?.why.vector).toMatchObject({
      rank: 1,
      matchedIn: 'step_error',
      stepNumber: 31,
    });
  });

  it('applies the filters and the caller scope to both signals', async () => {
    const text = 'gateway timeouts on the orders endpoint';
    expect(ids(await memory.search.retrieve({ text }))).toContain(episodes['other-domain']?.id);
    const scoped = await memory.search.retrieve({ text }, { scope: { domains: ['api', 'web'] } });
    expect(scoped.episodes.every((entry) => ['api', 'web'].includes(entry.episode.domain))).toBe(true);
    expect(ids(scoped)).toContain(episodes.timeouts?.id);
    expect(
      await memory.search.retrieve({ text, domain: 'secret' }, { scope: { domains: ['api'] } }),
    ).toMatchObject({
      episodes: [],
    });
    expect((await memory.search.retrieve({ text }, { scope: { domains: [] } })).episodes).toEqual([]);
    expect(ids(await memory.search.retrieve({ text, taskType: 'refactoring' }))).toEqual([episodes.css?.id]);
    expect(ids(await memory.search.retrieve({ text, status: 'failed' }))).toEqual([
      episodes['other-domain']?.id,
    ]);
    expect(await memory.search.retrieve({ text, since: '2999-01-01T00:00:00Z' })).toMatchObject({
      episodes: [],
    });
    expect(ids(await memory.search.retrieve({ text, until: '2999-01-01T00:00:00Z', limit: 2 }))).toHaveLength(
      2,
    );
  });

  it('leaves archived episodes out unless asked for, and is never stale after a write', async () => {
    const text = 'checkout styles css modules';
    expect(ids(await memory.search.retrieve({ text }))[0]).toBe(episodes.css?.id);
    await memory.episodes.archive(episodes.css?.id as string);
    expect(ids(await memory.search.retrieve({ text }))).not.toContain(episodes.css?.id);
    expect(ids(await memory.search.retrieve({ text, status: 'archived' }))).toEqual([episodes.css?.id]);

    await record(
      'css-again',
      { taskType: 'refactoring', domain: 'web', context: 'Checkout styles: finish the CSS modules move' },
      [{ action: 'edit_file checkout.css', result: 'done', success: true }],
    );
    expect(ids(await memory.search.retrieve({ text }))[0]).toBe(episodes['css-again']?.id);
  });

  it('sees episodes embedded by another process, and forgets vectors deleted behind its back', async () => {
    const other = await openMemory({ url: store.url, embeddings: embeddings.provider, logger });
    try {
      const episode = await other.episodes.start({
        taskType: 'debugging',
        domain: 'ops',
        context: 'Disk full on the build runner',
      });
      await other.episodes.complete(episode.id, { status: 'completed' });
      await other.learning.flush();
      const found = await memory.search.retrieve({ text: 'build runner disk full', domain: 'ops' });
      expect(found.episodes[0]).toMatchObject({ episode: { id: episode.id }, why: { vector: { rank: 1 } } });

      const raw = createClient({ url: store.url });
      await raw.execute({ sql: 'DELETE FROM embeddings WHERE episode_id = ?', args: [episode.id] });
      raw.close();
      memory.admin.invalidateCache();
      const after = await memory.search.retrieve({ text: 'build runner disk full', domain: 'ops' });
      expect(after.episodes[0]?.why.vector).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('moves the query towards its best full-text matches (relevance feedback)', async () => {
    // Shares no word with the query, only with the episode the query matches best.
    await record(
      'pool',
      { taskType: 'analysis', domain: 'db', context: 'Connection pool sizing for postgres replicas' },
      [
        {
          action: 'read_docs pgbouncer',
          result: 'pool_mode transaction, default_pool_size 20',
          success: true,
        },
      ],
    );
    await record(
      'pool-query',
      { taskType: 'analysis', domain: 'db', context: 'Why do slow queries pile up at night?' },
      [
        {
          action: 'explain analyze',
          result: 'connection pool exhausted by replicas during the backup',
          success: true,
        },
      ],
    );
    const text = 'why do slow queries pile up';
    const withFeedback = await memory.search.retrieve({ text, domain: 'db' });
    expect(withFeedback.signals.vector.feedbackEpisodes).toBe(1);
    const similarity = (result: typeof withFeedback) =>
      result.episodes.find((entry) => entry.episode.id === episodes.pool?.id)?.why.vector?.similarity ?? 0;

    const plain = await openMemory({
      url: store.url,
      embeddings: embeddings.provider,
      retrieval: { feedback: { episodes: 0 } },
    });
    try {
      const withoutFeedback = await plain.search.retrieve({ text, domain: 'db' });
      expect(withoutFeedback.signals.vector.feedbackEpisodes).toBe(0);
      expect(similarity(withoutFeedback)).toBeLessThan(0.1);
      expect(similarity(withFeedback)).toBeGreaterThan(0.2);
    } finally {
      await plain.close();
    }
  });

  it('reads the vectors of only the full-text matches that feed back', async () => {
    const one = await openMemory({
      url: store.url,
      embeddings: embeddings.provider,
      retrieval: { feedback: { episodes: 1 } },
    });
    const reads = vi.spyOn(VectorIndex.prototype, 'episodeVector');
    try {
      // Four episodes match some of these words; the best one feeds back.
      const result = await one.search.retrieve({ text: 'gateway timeouts nightly checkout endpoint' });
      expect(result.episodes.filter((entry) => entry.why.text !== null).length).toBeGreaterThanOrEqual(4);
      expect(result.signals.vector.feedbackEpisodes).toBe(1);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
      await one.close();
    }
  });

  it('weighs signals as configured: only recency left, newest first', async () => {
    const recent = await openMemory({
      url: store.url,
      embeddings: embeddings.provider,
      retrieval: {
        weights: { text: 0, step: 0, vector: 0, outcome: 0, expansion: 0, time: 0, recency: 1 },
      },
    });
    try {
      const result = await recent.search.retrieve({
        text: 'gateway timeouts orders socket invoices',
        domain: 'api',
      });
      const created = result.episodes.map((entry) => entry.episode.createdAt);
      expect(created).toEqual([...created].sort().reverse());
      expect(
        result.episodes.every((entry) => entry.why.text?.contribution === 0 || entry.why.text === null),
      ).toBe(true);
    } finally {
      await recent.close();
    }
  });

  it('answers from full text alone when the provider fails, saying why without its error text (logged), and caches nothing then', async () => {
    embeddings.failWith(new Error('model server unavailable at http://10.0.0.7:8080/v1/embeddings'));
    try {
      const result = await memory.search.retrieve({ text: 'gateway timeouts', domain: 'api' });
      expect(ids(result)[0]).toBe(episodes.timeouts?.id);
      // The provider's message may name internal hosts and echo upstream bodies: the log has it, the caller not.
      expect(result.signals.vector).toMatchObject({
        used: false,
        reason: 'the embedding provider failed; its error is logged as a warning',
      });
      expect(warnings.join('\n')).toMatch(
        /retrieve used full text only, the embedding provider failed: .*model server unavailable at http:\/\/10\.0\.0\.7:8080/u,
      );
    } finally {
      embeddings.failWith(null);
    }
    const recovered = await memory.search.retrieve({ text: 'gateway timeouts', domain: 'api' });
    expect(recovered.signals.vector.used).toBe(true);
  });

  it('answers from full text alone when the provider does not answer in time, even one deaf to abort', async () => {
    // A hosted provider's own retries kept a retrieve waiting two minutes; a provider that
    // ignores its abort signal kept it (and the store's close) waiting for good.
    const deaf = {
      ...embeddings.provider,
      embed: (texts: string[], options?: { signal?: AbortSignal }) =>
        texts.some((text) => text.includes('gateway'))
          ? new Promise<Float32Array[]>(() => undefined)
          : embeddings.provider.embed(texts, options),
    };
    const slow = await openMemory({
      url: store.url,
      embeddings: deaf,
      logger,
      retrieval: { embedTimeoutMs: 200 },
    });
    try {
      const result = await slow.search.retrieve({ text: 'gateway timeouts', domain: 'api' });
      expect(ids(result)[0]).toBe(episodes.timeouts?.id);
      expect(result.signals.vector).toMatchObject({
        used: false,
        reason: 'the embedding provider did not answer within 200 ms',
      });
      expect(warnings.join('\n')).toMatch(/did not answer within 200 ms \(retrieval\.embedTimeoutMs\)/u);
    } finally {
      await slow.close();
    }
  });

  it.runIf(testCacheEnabled)('serves a repeated retrieve from the query cache', async () => {
    const before = memory.admin.cacheStats().keyspaces.query;
    const first = await memory.search.retrieve({ text: 'nightly integration suite shards', limit: 3 });
    const second = await memory.search.retrieve({ text: 'nightly integration suite shards', limit: 3 });
    const after = memory.admin.cacheStats().keyspaces.query;
    expect(second).toEqual(first);
    expect(after.hits).toBe(before.hits + 1);
  });

  it('works without an embedding provider, saying the vector signal is absent', async () => {
    const plain = await openMemory({ url: store.url });
    try {
      const result = await plain.search.retrieve({ text: 'gateway timeouts orders', domain: 'api' });
      expect(ids(result)[0]).toBe(episodes.timeouts?.id);
      expect(result.signals.vector).toEqual({
        used: false,
        reason: 'no embedding provider is configured',
        model: null,
        feedbackEpisodes: 0,
      });
      expect(result.episodes.every((entry) => entry.why.vector === null)).toBe(true);
    } finally {
      await plain.close();
    }
  });

  it('searches every word of an issue-length query, where the one that matters comes late', async () => {
    await using fresh = await openTempMemory();
    const recordRun = async (context: string, result: string) => {
      const episode = await fresh.memory.episodes.start({ taskType: 'debugging', domain: 'lib', context });
      await fresh.memory.episodes.logSteps(episode.id, [{ action: 'edit_file', result, success: true }]);
      return fresh.memory.episodes.complete(episode.id, { status: 'completed', successRate: 1 });
    };
    // An unrelated run sharing 120 of the issue's words, each as rare as the word that matters.
    const shared = Array.from({ length: 120 }, (_, i) => `term${i}`);
    await recordRun(shared.join(' '), 'reworded the docs');
    const past = await recordRun('Serializer drops microseconds', 'fixed in serializers/datetimefield.py');
    const issue = `${shared.join(' ')} datetimefield`;
    const result = await fresh.memory.search.retrieve({ text: issue, limit: 5 });
    expect(result.episodes.map((entry) => entry.episode.id)).toContain(past.id);
    expect(result.signals.text).toMatchObject({ used: true, skipped: [] });
  });

  it('refuses bad input with field paths', async () => {
    await expect(memory.search.retrieve({ text: '' })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'text' }],
    });
    await expect(memory.search.retrieve({ text: 'x', limit: 100_000 })).rejects.toMatchObject({
      issues: [{ path: 'limit' }],
    });
    await expect(memory.search.retrieve({ text: 'x', status: 'lost' as never })).rejects.toMatchObject({
      issues: [{ path: 'status' }],
    });
    await expect(memory.search.retrieve({ text: 'x', exclude: ['not-an-id'] })).rejects.toMatchObject({
      issues: [{ path: 'exclude.0' }],
    });
    // text that is only punctuation is valid and finds nothing by full text
    expect((await memory.search.retrieve({ text: '"(*)"' })).signals.text).toEqual({
      used: false,
      reason: 'the query text has no searchable words',
      skipped: [],
    });
  });
});
