import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import type { Memory } from '../open-memory.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A provider that stops answering (a hand-written `fetch` with no timeout to a server that
 * took the request and went quiet) and ignores its abort signal, as a careless one does.
 * `answering` makes it embed as the test provider does.
 */
function hungProvider() {
  const working = createTestEmbeddings();
  let answering = false;
  let entered: () => void = () => undefined;
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const provider: EmbeddingProviderV1 = {
    ...working.provider,
    embed(texts, options) {
      if (answering) return working.provider.embed(texts, options);
      entered();
      return new Promise(() => undefined);
    },
  };
  return { provider, inside, answer: () => (answering = true) };
}

async function complete(memory: Memory, context: string) {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'billing', context });
  await memory.episodes.logSteps(episode.id, [{ action: 'run_tests', result: 'ok', success: true }]);
  await memory.episodes.complete(episode.id, { status: 'completed' });
  return episode.id;
}

describe('an embedding provider whose embed() never settles', () => {
  it('fails the batch at learning.embedTimeoutMs, naming the provider and the setting, and loses nothing', async () => {
    const hung = hungProvider();
    const store = await openTempMemory({
      embeddings: hung.provider,
      logger: { warn: () => undefined },
      learning: { embedTimeoutMs: 300, maxAttempts: 1 },
    });
    cleanups.push(() => store.close());
    const id = await complete(store.memory, 'Invoice totals are off by a cent');
    // Before, the row stayed pending for good: no failure, no log, no provider named.
    expect(await store.memory.learning.flush({ timeoutMs: 20_000 })).toMatchObject({ pending: 0, failed: 1 });
    const { embeddings } = (await store.memory.learning.status()).learners;
    expect(embeddings?.lastFailure).toMatchObject({
      episodeId: id,
      error:
        'Embedding provider test/trigrams-v1/256 failed: embed() did not settle within 300 ms (learning.embedTimeoutMs)',
    });
    expect((await store.memory.search.text({ text: 'invoice' })).map((hit) => hit.episode.id)).toEqual([id]);

    // Answering again, the failed row is learned once retried.
    hung.answer();
    expect(await store.memory.learning.retryFailed()).toBe(1);
    expect(await store.memory.learning.flush({ timeoutMs: 20_000 })).toMatchObject({ pending: 0, failed: 0 });
    expect((await store.memory.episodes.get(id))?.embeddingVersion).toBe('test/trigrams-v1/256');
  });

  it('does not hold up close(): the store stops waiting for it at once', async () => {
    const hung = hungProvider();
    const store = await openTempMemory({ embeddings: hung.provider, logger: { warn: () => undefined } });
    await complete(store.memory, 'Checkout times out');
    await hung.inside; // the learner is in the hung call, five minutes (the default) from giving up on it
    const waited = new Promise((resolve) => setTimeout(resolve, 10_000, 'still closing after 10 s'));
    expect(await Promise.race([store.memory.close().then(() => 'closed'), waited])).toBe('closed');
  });

  it('fails a reindex with it at the same deadline, saying so', async () => {
    const store = await openTempMemory({
      logger: { warn: () => undefined },
      learning: { embedTimeoutMs: 300 },
    });
    cleanups.push(() => store.close());
    await complete(store.memory, 'Checkout times out');
    await expect(store.memory.admin.reindex(hungProvider().provider)).rejects.toMatchObject({
      code: 'EMBEDDING',
      message:
        'Embedding provider test/trigrams-v1/256 failed: embed() did not settle within 300 ms (learning.embedTimeoutMs)',
    });
  });
});
