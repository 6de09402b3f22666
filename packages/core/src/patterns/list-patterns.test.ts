import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;

beforeAll(async () => {
  store = await openTempMemory();
  const raw = createClient({ url: store.url });
  await raw.execute(`INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate, usage_count) VALUES
    ('p1', 'tool_sequence', 'web', '{"actions":["a","b"]}', 0.4, 1),
    ('p2', 'tool_sequence', 'web', '{"actions":["c"]}', 0.9, 5),
    ('p3', 'error_resolution', 'web', '{"signature":"E"}', 0.95, 0),
    ('p4', 'tool_sequence', 'web', '{"actions":["d"]}', 0.7, 2)`);
  raw.close();
});
afterAll(() => store.close());

describe('listPatterns (the seed query: by type, above a success rate, best first)', () => {
  it('returns patterns of one type at or above the rate, best first, with parsed data', async () => {
    const patterns = await store.memory.patterns.list({ type: 'tool_sequence', minSuccessRate: 0.5 });
    expect(patterns.map((p) => [p.id, p.successRate])).toEqual([
      ['p2', 0.9],
      ['p4', 0.7],
    ]);
    expect(patterns[0]).toMatchObject({
      patternType: 'tool_sequence',
      patternData: { actions: ['c'] },
      usageCount: 5,
    });
  });

  it('gets one pattern by id and refuses unknown types', async () => {
    expect(await store.memory.patterns.get('p3')).toMatchObject({
      patternType: 'error_resolution',
      domain: 'web',
    });
    expect(await store.memory.patterns.get('missing')).toBeNull();
    await expect(store.memory.patterns.list({ type: 'vibes' })).rejects.toMatchObject({
      issues: [{ path: 'type' }],
    });
  });
});
