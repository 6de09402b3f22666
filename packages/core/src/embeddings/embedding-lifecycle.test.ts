import { type EmbeddingProviderV1, PluginError } from '@episodic/plugin';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory, tempDir } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Memory, openMemory } from '../open-memory.js';
import { decodeVector } from './vector-codec.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempStore(config: Parameters<typeof openTempMemory>[0] = {}) {
  const store = await openTempMemory(config);
  cleanups.push(() => store.close());
  return store;
}

async function recordEpisode(
  memory: Memory,
  context: string,
  steps: { action: string; result: string; success: boolean }[],
) {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'billing', context });
  await memory.episodes.logSteps(episode.id, steps);
  const completed = await memory.episodes.complete(episode.id, {
    status: steps.every((step) => step.success) ? 'completed' : 'failed',
  });
  await memory.learning.flush();
  return completed;
}

async function embeddingRows(url: string) {
  const raw = createClient({ url });
  try {
    const rows = await raw.execute(
      'SELECT episode_id, kind, step_id, content, embedding, model_name FROM embeddings ORDER BY kind, content',
    );
    return rows.rows;
  } finally {
    raw.close();
  }
}

const failingRun = [
  { action: 'read_file invoice.ts', result: 'export function total(lines) { ... }', success: true },
  {
    action: 'run_tests billing',
    result: 'RoundingError: expected 10.05 to equal 10.1 in invoice.test.ts',
    success: false,
  },
  {
    action: 'run_tests billing',
    result: 'ECONNREFUSED 127.0.0.1:5432 while seeding the test database',
    success: false,
  },
];

describe('embedding finished episodes', () => {
  it('stores one vector for the episode and one per failed step, stamped with the provider', async () => {
    const embeddings = createTestEmbeddings({ dimensions: 64 });
    const { memory, url } = await tempStore({ embeddings: embeddings.provider });
    const episode = await recordEpisode(memory, 'Invoice totals are off by a cent', failingRun);

    const rows = await embeddingRows(url);
    expect(rows.map((row) => [row.kind, row.model_name])).toEqual([
      ['episode', 'test/trigrams-v1/64'],
      ['step_error', 'test/trigrams-v1/64'],
      ['step_error', 'test/trigrams-v1/64'],
    ]);
    expect(rows.every((row) => row.episode_id === episode.id)).toBe(true);
    expect(String(rows[0]?.content)).toContain('Invoice totals are off by a cent');
    expect(rows[1]?.content).toBe(
      'run_tests billing (failed): ECONNREFUSED 127.0.0.1:5432 while seeding the test database',
    );
    const stored = (await memory.episodes.get(episode.id))?.steps.find((step) =>
      step.result?.startsWith('ECONNREFUSED'),
    );
    expect(rows[1]?.step_id).toBe(stored?.id);
    // float32 little-endian, unit length
    const vector = decodeVector(rows[0]?.embedding as ArrayBuffer);
    expect(vector).toHaveLength(64);
    expect(vector.reduce((sum, value) => sum + value * value, 0)).toBeCloseTo(1, 5);
    expect((await memory.episodes.get(episode.id))?.embeddingVersion).toBe('test/trigrams-v1/64');
    expect(memory.admin.embeddingModel()).toBe('test/trigrams-v1/64');
  });

  it('keeps the completion through a provider outage, shows the failures, and loses nothing once it recovers', async () => {
    const embeddings = createTestEmbeddings();
    const warnings: string[] = [];
    const logger: Logger = { warn: (message) => warnings.push(message) };
    const { memory, url } = await tempStore({
      embeddings: embeddings.provider,
      logger,
      learning: { maxAttempts: 3, retryBaseMs: 5 },
    });
    embeddings.failWith(new Error('model server unavailable'));
    const episode = await recordEpisode(memory, 'Flaky checkout test', failingRun.slice(0, 1));
    await recordEpisode(memory, 'Invoice totals are off by a cent', failingRun);
    expect(episode.status).toBe('completed');
    expect(warnings.join('\n')).toMatch(
      /embeddings could not learn from 1 episodes: .*model server unavailable/,
    );
    expect(await embeddingRows(url)).toEqual([]);
    // Retried with backoff, then left visible as failed rather than dropped.
    expect(await memory.learning.status()).toMatchObject({ pending: 0, failed: 2 });
    // Still found by text while it has no vector.
    expect((await memory.search.text({ text: 'checkout' })).map((hit) => hit.episode.id)).toEqual([
      episode.id,
    ]);

    embeddings.failWith(null);
    expect(await memory.learning.retryFailed()).toBe(2);
    expect(await memory.learning.flush()).toMatchObject({ pending: 0, failed: 0 });
    expect(await embeddingRows(url)).toHaveLength(1 + 1 + failingRun.filter((step) => !step.success).length);
  });

  it('names the newest failure, cut short, and stops counting it once a reindex embedded the episode', async () => {
    const embeddings = createTestEmbeddings();
    const { memory } = await tempStore({
      embeddings: embeddings.provider,
      logger: { warn: () => undefined },
      learning: { maxAttempts: 1 },
    });
    embeddings.failWith(new Error(`model server unavailable: ${'x'.repeat(5000)}`));
    await recordEpisode(memory, 'Checkout times out', failingRun.slice(0, 1));
    const newest = await recordEpisode(memory, 'Invoice totals are off by a cent', failingRun);
    const failed = (await memory.learning.status()).learners.embeddings;
    expect(failed).toMatchObject({ failed: 2, lastFailure: { episodeId: newest.id } });
    expect(failed?.lastFailure?.error).toMatch(
      /^Embedding provider test\/trigrams-v1\/256 failed: model server unavailable: x+$/,
    );
    expect(failed?.lastFailure?.error).toHaveLength(500);
    expect(Date.parse(failed?.lastFailure?.failedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(newest.completedAt ?? ''),
    );

    // The operator gives up on that provider and reindexes with another one.
    await memory.admin.reindex(createTestEmbeddings({ model: 'trigrams-v2' }).provider);
    expect(await memory.learning.status()).toMatchObject({
      failed: 0,
      learners: { embeddings: { failed: 0, lastFailure: null } },
    });
    expect(await memory.learning.retryFailed()).toBe(0);
  });

  /**
   * Twelve finished episodes, those at `poisoned` holding "POISON", stored with no learner
   * running, then learned by `provider` in one batch (one attempt each); the store and their ids.
   */
  async function learnedBatch(provider: EmbeddingProviderV1, poisoned: readonly number[]) {
    const idle = await tempStore({ embeddings: provider, learning: { run: false } });
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const context = poisoned.includes(i) ? `Invoice export POISON ${i}` : `Invoice export run ${i}`;
      const episode = await idle.memory.episodes.start({ taskType: 'debugging', domain: 'billing', context });
      await idle.memory.episodes.complete(episode.id, { status: 'completed' });
      ids.push(episode.id);
    }
    await idle.memory.close();
    const memory = await openMemory({
      url: idle.url,
      embeddings: provider,
      logger: { warn: () => undefined },
      learning: { maxAttempts: 1 },
    });
    cleanups.push(() => memory.close());
    await memory.learning.flush();
    const embedded = new Set((await embeddingRows(idle.url)).map((row) => String(row.episode_id)));
    return { memory, ids, unembedded: ids.filter((id) => !embedded.has(id)) };
  }

  /** The test provider, refusing a batch that holds a text `refuses` picks with `error`; `calls` counts its calls. */
  function refusing(refuses: (text: string) => boolean, error: () => Error) {
    const embeddings = createTestEmbeddings();
    const provider = {
      ...embeddings.provider,
      calls: 0,
      embed: (texts: string[], options?: { signal?: AbortSignal }) => {
        provider.calls += 1;
        return texts.some(refuses) ? Promise.reject(error()) : embeddings.provider.embed(texts, options);
      },
    };
    return provider;
  }

  it('embeds the rest of a batch one episode fails for good, and names that one', async () => {
    // A provider that refuses one text (too long for its model, say) failed the whole batch, at
    // every retry, and `lastFailure` named an episode it had nothing against.
    const picky = refusing(
      (text) => text.includes('POISON'),
      () => new Error('input too long for the model'),
    );
    const { memory, ids, unembedded } = await learnedBatch(picky, [7]);
    expect(unembedded).toEqual([ids[7]]);
    expect((await memory.learning.status()).learners.embeddings).toMatchObject({
      failed: 1,
      lastFailure: { episodeId: ids[7] },
    });
  });

  it('embeds the rest of a batch that two refused episodes fail, in either half, and names them', async () => {
    // A server that refuses inputs over its context with a 400 no cut cures: with one such
    // episode in each half, both halves failed, read as an outage, and all twelve failed for good.
    const tooLong = () =>
      new PluginError('BAD_REQUEST', 'refused the request (HTTP 400): inputs must have less than 512 tokens');
    const twice = await learnedBatch(
      refusing((text) => text.includes('POISON'), tooLong),
      [2, 9],
    );
    expect(twice.unembedded).toEqual([twice.ids[2], twice.ids[9]]);
    expect((await twice.memory.learning.status()).learners.embeddings).toMatchObject({ failed: 2 });

    // A provider that refuses everything (a model name it does not know) is not asked once per episode.
    const everything = refusing(() => true, tooLong);
    const all = await learnedBatch(everything, []);
    expect(all.unembedded).toHaveLength(12);
    expect(everything.calls).toBeLessThanOrEqual(16);
  });

  it('retries a failing batch with backoff and embeds it once the provider answers again', async () => {
    const embeddings = createTestEmbeddings();
    const { memory, url } = await tempStore({
      embeddings: embeddings.provider,
      logger: { warn: () => undefined },
      learning: { maxAttempts: 20, retryBaseMs: 5, retryMaxMs: 20 },
    });
    embeddings.failWith(new Error('model server unavailable'));
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'billing',
      context: 'Outage',
    });
    await memory.episodes.complete(episode.id, { status: 'completed' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await embeddingRows(url)).toEqual([]);
    embeddings.failWith(null);
    expect(await memory.learning.flush()).toMatchObject({ pending: 0, failed: 0 });
    expect(await embeddingRows(url)).toHaveLength(1);
  });

  it('refuses to open a store whose vectors another model made, naming reindex; reindex switches it over', async () => {
    const first = createTestEmbeddings({ dimensions: 64 });
    const { memory, url } = await tempStore({ embeddings: first.provider });
    await recordEpisode(memory, 'Invoice totals are off by a cent', failingRun);
    await memory.close();

    const second = createTestEmbeddings({ dimensions: 32, model: 'trigrams-v2' });
    const error = await openMemory({ url, embeddings: second.provider }).catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONFIG' });
    expect((error as Error).message).toContain('test/trigrams-v1/64');
    expect((error as Error).message).toContain('test/trigrams-v2/32');
    expect((error as Error).message).toContain('reindex');

    const plain = await openMemory({ url });
    const report = await plain.admin.reindex(second.provider);
    expect(report).toMatchObject({ stamp: 'test/trigrams-v2/32', embedded: 1, staleRowsRemoved: 0 });
    expect(new Set((await embeddingRows(url)).map((row) => row.model_name))).toEqual(
      new Set(['test/trigrams-v2/32']),
    );
    // the store now embeds and retrieves with the new provider
    expect(plain.admin.embeddingModel()).toBe('test/trigrams-v2/32');
    await recordEpisode(plain, 'Refund webhook retried forever', failingRun.slice(0, 1));
    expect((await plain.search.retrieve({ text: 'refund webhook' })).signals.vector).toMatchObject({
      used: true,
      model: 'test/trigrams-v2/32',
    });
    await plain.close();

    const reopened = await openMemory({ url, embeddings: second.provider });
    await reopened.close();
  });

  /** A store on a temp file whose finished episodes, one per context, `provider` embedded; its url and their ids. */
  async function embeddedStore(provider: EmbeddingProviderV1, contexts: readonly string[]) {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const url = `file:${dir.path}/memory.db`;
    const memory = await openMemory({ url, embeddings: provider });
    const ids: string[] = [];
    for (const context of contexts)
      ids.push((await recordEpisode(memory, context, failingRun.slice(0, 1))).id);
    await memory.close();
    return { url, ids };
  }

  /** The test provider `next`, refusing for good a batch holding "POISON", and all of them while `outage()` says so. */
  function pickyOf(next: ReturnType<typeof createTestEmbeddings>, outage: () => boolean = () => false) {
    return {
      ...next.provider,
      embed: (texts: string[], options?: { signal?: AbortSignal }) => {
        if (outage()) return Promise.reject(new PluginError('SERVER', 'Server error (HTTP 503): overloaded'));
        return texts.some((text) => text.includes('POISON'))
          ? Promise.reject(
              new PluginError('BAD_REQUEST', 'refused the request (HTTP 400): input is too large'),
            )
          : next.provider.embed(texts, options);
      },
    };
  }

  it('resumes an interrupted reindex where it stopped, re-embedding nothing twice', async () => {
    const old = createTestEmbeddings({ model: 'old' });
    const { url } = await embeddedStore(
      old.provider,
      Array.from({ length: 5 }, (_, i) => `episode number ${i}`),
    );

    const next = createTestEmbeddings({ model: 'new' });
    const plain = await openMemory({ url });
    const controller = new AbortController();
    const interrupted = await plain.admin
      .reindex(next.provider, {
        batchSize: 2,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      })
      .catch((caught: unknown) => caught);
    expect((interrupted as Error).name).toBe('AbortError');
    expect(next.embeddedTexts()).toHaveLength(2);
    await plain.close();

    // Neither provider opens it, and the advice says so: reindex with the one to keep.
    for (const provider of [next.provider, old.provider]) {
      const mixed = await openMemory({ url, embeddings: provider }).catch((caught: unknown) => caught);
      expect((mixed as Error).message).toMatch(/as well as test\/(old|new)\/256 \(an unfinished reindex\)/);
      expect((mixed as Error).message).toMatch(/opens with neither until one is chosen.*reindex\(provider\)/);
      expect((mixed as Error).message).not.toMatch(/open it with the provider that made them/);
    }

    const resumed = await openMemory({ url });
    const report = await resumed.admin.reindex(next.provider, { batchSize: 2 });
    expect(report).toMatchObject({ embedded: 3, pending: 3, alreadyCurrent: 2, staleRowsRemoved: 0 });
    expect(next.embeddedTexts()).toHaveLength(5);
    expect(new Set(next.embeddedTexts()).size).toBe(5);
    await resumed.close();
    await (await openMemory({ url, embeddings: next.provider })).close();
  });

  it('reindexes past an episode the provider refuses for good, and says how far a failed one got', async () => {
    const { url, ids } = await embeddedStore(
      createTestEmbeddings({ model: 'old' }).provider,
      Array.from({ length: 6 }, (_, i) => (i === 4 ? 'a POISON episode' : `episode number ${i}`)),
    );
    let outage = false;
    const picky = pickyOf(createTestEmbeddings({ model: 'new' }), () => outage);
    // An outage after the first batch: the error says what was kept and how to go on.
    const plain = await openMemory({ url, logger: { warn: () => undefined } });
    const failed = await plain.admin
      .reindex(picky, { batchSize: 2, onProgress: () => (outage = true) })
      .catch((caught: unknown) => caught);
    expect((failed as Error).message).toMatch(
      /HTTP 503.*2 of 6 episodes were re-embedded and kept.*Run the reindex again once that is mended: it embeds only what is left/,
    );
    // Run again: one refused episode no longer stops it at its batch, every run.
    outage = false;
    const report = await plain.admin.reindex(picky, { batchSize: 2 });
    expect(report).toMatchObject({ embedded: 4, alreadyCurrent: 2, refused: [ids[4]] });
    await plain.close();
    const reopened = await openMemory({ url, embeddings: picky });
    expect(await reopened.search.text({ text: 'POISON' })).toHaveLength(1);
    await reopened.close();

    // A provider that refuses every input (a model name it does not know) stops the reindex, as
    // before: stamped one by one, every episode would count as re-embedded, with no vector.
    const unknownModel = {
      ...createTestEmbeddings({ model: 'unknown' }).provider,
      embed: () =>
        Promise.reject(new PluginError('BAD_REQUEST', 'refused the request (HTTP 404): no such model')),
    };
    const again = await openMemory({ url, logger: { warn: () => undefined } });
    await expect(again.admin.reindex(unknownModel, { batchSize: 4 })).rejects.toThrow(/HTTP 404/);
    await again.close();
  });

  it('reindexes past refused episodes side by side in one half of a batch', async () => {
    // Both of a half refused is no sign that the provider refuses everything: only a whole batch is.
    const { url, ids } = await embeddedStore(
      createTestEmbeddings({ model: 'old' }).provider,
      Array.from({ length: 6 }, (_, i) =>
        i === 2 || i === 3 ? `a POISON episode ${i}` : `episode number ${i}`,
      ),
    );
    const plain = await openMemory({ url, logger: { warn: () => undefined } });
    const report = await plain.admin.reindex(pickyOf(createTestEmbeddings({ model: 'new' })), {
      batchSize: 4,
    });
    expect(report).toMatchObject({ embedded: 6, refused: [ids[2], ids[3]] });
    await plain.close();
  });

  it('refuses an object that is not an embedding provider, naming the problem', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const bad = {
      specificationVersion: 'v1',
      provider: 'x',
      model: 'y',
      dimensions: 0,
      maxBatchSize: 1,
      deterministic: true,
      embed: () => [],
    };
    await expect(
      openMemory({ url: `file:${dir.path}/m.db`, embeddings: bad as never }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'embeddings', message: 'dimensions must be a positive integer' }],
    });
  });
});
