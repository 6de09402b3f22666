import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { relevanceWeights } from './relevant-patterns.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
const ids: Record<string, string[]> = {};

async function run(key: string, taskType: string, actions: string[], status: 'completed' | 'failed' = 'completed') {
  const episode = await store.memory.startEpisode({ taskType, domain: 'web' });
  await store.memory.logSteps(episode.id, actions.map((action) => ({ action })));
  await store.memory.completeEpisode(episode.id, { status });
  (ids[key] ??= []).push(episode.id);
}

beforeAll(async () => {
  store = await openTempMemory({ miners: [createActionPairMiner()] });
  for (let i = 0; i < 8; i += 1) await run('deploy', 'debugging', ['build_image', 'push_image'], i < 7 ? 'completed' : 'failed');
  for (let i = 0; i < 3; i += 1) await run('migrate', 'debugging', ['backup_database', 'run_migration']);
  for (let i = 0; i < 4; i += 1) await run('docs', 'documentation', ['read_file', 'write_docs']);
  await run('once', 'debugging', ['flaky_step', 'retry_step']);
});
afterAll(() => store.close());

describe('relevantPatterns', () => {
  it('ranks by evidence without text or task type, leaving out patterns seen only once', async () => {
    const hits = await store.memory.relevantPatterns({});
    expect(hits.map((hit) => hit.pattern.summary)).toEqual([
      'build_image then push_image',
      'read_file then write_docs',
      'backup_database then run_migration',
    ]);
    expect(hits[0]?.why).toEqual({ evidence: relevanceWeights.evidence * hits[0]!.pattern.score, text: 0, taskType: 0 });
    expect((await store.memory.relevantPatterns({ minSupport: 1 })).map((hit) => hit.pattern.summary)).toContain(
      'flaky_step then retry_step',
    );
  });

  it('prefers what the task text mentions and leaves out patterns of another task type', async () => {
    const hits = await store.memory.relevantPatterns({ text: 'the database migration failed', taskType: 'debugging' });
    expect(hits[0]?.pattern.summary).toBe('backup_database then run_migration');
    expect(hits[0]?.why.text).toBeCloseTo(relevanceWeights.text);
    expect(hits[0]?.why.taskType).toBe(relevanceWeights.taskType);
    expect(hits.map((hit) => hit.pattern.taskType)).toEqual(hits.map(() => 'debugging'));
  });

  it('returns the supporting episodes newest first (capped), the counts and the lift over the base rate', async () => {
    const [hit] = await store.memory.relevantPatterns({ text: 'push image', episodesPerPattern: 3 });
    expect(hit?.pattern).toMatchObject({ support: 8, successes: 7, successRate: 7 / 8 });
    expect(hit?.episodeIds).toEqual(ids.deploy!.slice(-3).reverse());
    // debugging in web: 11 of 12 succeeded; the pattern: 7 of 8
    expect(hit?.lift).toBeCloseTo(7 / 8 / (11 / 12));
  });

  it('filters by type and domain, and validates its input', async () => {
    expect(await store.memory.relevantPatterns({ types: ['error_resolution'] })).toEqual([]);
    expect(await store.memory.relevantPatterns({ domain: 'elsewhere' })).toEqual([]);
    await expect(store.memory.relevantPatterns({ limit: 0, taskType: 'nope' } as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'taskType' }, { path: 'limit' }],
    });
  });
});
