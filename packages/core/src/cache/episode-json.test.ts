import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory, testCacheEnabled } from '../__fixtures__/temp-store.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

async function recordedEpisode(domain = 'web') {
  const episode = await store.memory.episodes.start({
    taskType: 'debugging',
    domain,
    context: 'login "fails" ✓',
  });
  await store.memory.episodes.logSteps(episode.id, [
    { action: 'read_file', result: 'ok', metadata: { path: 'src/a.ts' } },
  ]);
  return episode;
}

async function textOf(read: Promise<{ json: Buffer; domain: string } | null>) {
  const found = await read;
  return found === null ? null : { json: found.json.toString('utf8'), domain: found.domain };
}

describe('getEpisodeJson', () => {
  it('gives the JSON text of what getEpisode returns, from the database and then from the cache', async () => {
    const episode = await recordedEpisode();
    const expected = JSON.stringify(await store.memory.episodes.get(episode.id));
    const hitsBefore = store.memory.admin.cacheStats().keyspaces.episode.hits;
    expect(await textOf(store.memory.episodes.getJson(episode.id))).toEqual({
      json: expected,
      domain: 'web',
    });
    expect(await textOf(store.memory.episodes.getJson(episode.id))).toEqual({
      json: expected,
      domain: 'web',
    });
    // Both answered by the entry getEpisode filled: the domain is stored beside the JSON.
    expect(store.memory.admin.cacheStats().keyspaces.episode.hits - hitsBefore).toBe(
      testCacheEnabled ? 2 : 0,
    );
  });

  it('fills the cache on a miss, and never serves a copy older than the last write', async () => {
    const episode = await recordedEpisode();
    await store.memory.episodes.getJson(episode.id);
    await store.memory.episodes.logSteps(episode.id, [{ action: 'edit_file', result: 'done' }]);
    const fresh = await store.memory.episodes.getJson(episode.id);
    expect(
      JSON.parse(fresh!.json.toString('utf8')).steps.map((step: { action: string }) => step.action),
    ).toEqual(['read_file', 'edit_file']);
    expect(fresh?.json.toString('utf8')).toBe(JSON.stringify(await store.memory.episodes.get(episode.id)));
  });

  it('answers null outside the caller’s domains, cached or not, and audits every read', async () => {
    const episode = await recordedEpisode('billing');
    const outsider = { scope: { domains: ['web'] }, actor: 'token-1' };
    expect(await store.memory.episodes.getJson(episode.id, outsider)).toBeNull();
    await store.memory.episodes.get(episode.id);
    expect(await store.memory.episodes.getJson(episode.id, outsider)).toBeNull();
    expect(
      await store.memory.episodes.getJson(episode.id, { scope: { domains: ['billing'] }, actor: 'token-2' }),
    ).not.toBeNull();

    await store.memory.admin.flushAudit();
    const reads = await store.memory.admin.audit({ operation: 'read' });
    expect(
      reads
        .filter((entry) => entry.actor !== 'local')
        .map((entry) => [entry.actor, entry.entityId, entry.outcome]),
    ).toEqual([
      ['token-1', episode.id, 'error'],
      ['token-1', episode.id, 'error'],
      ['token-2', episode.id, 'ok'],
    ]);
    expect(reads.at(-1)?.domain).toBe('billing');
  });

  it('refuses a malformed id as getEpisode does', async () => {
    await expect(store.memory.episodes.getJson('not-an-id')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
