import { describe, expect, it } from 'vitest';
import { openTempMemory, testCacheEnabled, testLocalDriver } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { openMemory } from '../open-memory.js';

describe('admin.warmUp', () => {
  it('loads the vectors a reopened store holds before any retrieve, and the retrieve then loads nothing', async () => {
    const embeddings = createTestEmbeddings({ dimensions: 64 });
    await using store = await openTempMemory({ embeddings: embeddings.provider });
    for (const context of ['cache miss on deploy', 'cache miss in CI', 'cache miss after a migration']) {
      const { id } = await store.memory.episodes.start({ taskType: 'debugging', domain: 'ops', context });
      await store.memory.episodes.complete(id, { status: 'completed' });
    }
    await store.memory.learning.flush();
    await store.memory.close();

    const reopened = await openMemory({
      url: store.url,
      localDriver: testLocalDriver,
      embeddings: embeddings.provider,
      ...(testCacheEnabled ? {} : { cache: false }),
    });
    try {
      // Opening loads nothing: a short-lived process (a CLI command) never pays for the load.
      expect(reopened.admin.cacheStats().vectorIndex).toMatchObject({ vectors: 0 });
      const warmed = await reopened.admin.warmUp();
      expect(warmed).toMatchObject({ vectors: 3 });
      expect(reopened.admin.cacheStats().vectorIndex).toEqual(warmed);
      const result = await reopened.search.retrieve({ text: 'cache miss', limit: 3 });
      expect(result.episodes).toHaveLength(3);
      expect(reopened.admin.cacheStats().vectorIndex).toEqual(warmed);
    } finally {
      await reopened.close();
    }
  });

  it('resolves to null on a store without an embedding provider', async () => {
    await using store = await openTempMemory();
    expect(await store.memory.admin.warmUp()).toBeNull();
  });
});
