import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

const agent = { actor: 'token-123' };

describe('audit log', () => {
  it('records each write with time, actor, operation, entity, domain and outcome, never the content', async () => {
    const { memory } = store;
    const episode = await memory.episodes.start(
      { taskType: 'debugging', domain: 'web', context: 'SECRET-CONTEXT-1' },
      agent,
    );
    await memory.episodes.logSteps(
      episode.id,
      [{ action: 'SECRET-ACTION-2', result: 'SECRET-RESULT-3' }],
      agent,
    );
    await memory.episodes.complete(episode.id, { status: 'completed' }, agent);
    await memory.episodes.archive(episode.id);

    const entries = await memory.admin.audit();
    expect(entries.map((e) => [e.actor, e.operation, e.entityType, e.entityId, e.domain, e.outcome])).toEqual(
      [
        ['token-123', 'create', 'episode', episode.id, 'web', 'ok'],
        ['token-123', 'create', 'steps', episode.id, 'web', 'ok'],
        ['token-123', 'update', 'episode', episode.id, 'web', 'ok'],
        ['local', 'update', 'episode', episode.id, 'web', 'ok'],
      ],
    );
    expect(entries.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/SECRET/);
  });

  it('audits a write in its own transaction: a write that rolls back leaves no "ok" entry', async () => {
    const { memory } = store;
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    const raw = createClient({ url: store.url });
    await raw.execute(`CREATE TRIGGER refuse BEFORE INSERT ON steps BEGIN SELECT RAISE(ABORT, 'no'); END`);
    raw.close();
    await expect(memory.episodes.logStep(episode.id, { action: 'x' })).rejects.toMatchObject({
      code: 'STORAGE',
    });
    await memory.admin.flushAudit();
    const steps = await memory.admin.audit({ operation: 'create' });
    expect(steps.filter((e) => e.entityType === 'steps').map((e) => e.outcome)).toEqual(['error']);
  });

  it('records denied attempts, and a scoped query shows only its domains', async () => {
    const { memory } = store;
    const theirs = await memory.episodes.start({ taskType: 'debugging', domain: 'team-b' });
    const scoped = { scope: { domains: ['team-a'] }, actor: 'token-a' };
    await expect(
      memory.episodes.start({ taskType: 'debugging', domain: 'team-b' }, scoped),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(memory.episodes.logStep(theirs.id, { action: 'x' }, scoped)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      memory.episodes.complete('01936f3e-0000-7000-8000-000000000000', { status: 'completed' }, scoped),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await memory.admin.flushAudit();

    const denied = await memory.admin.audit({ outcome: 'denied' });
    expect(denied.map((e) => [e.actor, e.operation, e.entityType, e.domain])).toEqual([
      ['token-a', 'create', 'episode', 'team-b'],
      ['token-a', 'create', 'steps', 'team-b'],
    ]);
    expect((await memory.admin.audit({ outcome: 'error' })).map((e) => e.entityId)).toEqual([
      '01936f3e-0000-7000-8000-000000000000',
    ]);
    expect(await memory.admin.audit({}, { scope: { domains: ['team-a'] } })).toEqual([]);
    expect((await memory.admin.audit({ actor: 'token-a', operation: 'create' })).length).toBe(2);
    const later = await memory.admin.audit({ since: new Date(Date.now() + 60_000).toISOString() });
    expect(later).toEqual([]);
  });

  it('writes buffered entries on close, and is append-only in the database itself', async () => {
    const memory = await openMemory({ url: store.url });
    await expect(
      memory.episodes.start({ taskType: 'debugging', domain: 'b' }, { scope: { domains: ['a'] } }),
    ).rejects.toThrow();
    await memory.close();
    const raw = createClient({ url: store.url });
    expect(
      (await raw.execute("SELECT count(*) AS n FROM audit_log WHERE outcome = 'denied'")).rows[0]?.n,
    ).toBe(1);
    await expect(raw.execute("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow(/append-only/);
    await expect(raw.execute('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    raw.close();
  });

  it('records the reads still running when close is called', async () => {
    const memory = await openMemory({ url: store.url });
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'a',
      context: 'ECONNREFUSED',
    });
    const reads = [
      memory.search.retrieve({ text: 'ECONNREFUSED tests' }, { actor: 'reader-retrieve' }),
      memory.search.text({ text: 'ECONNREFUSED' }, { actor: 'reader-text' }),
      memory.episodes.get(episode.id, { actor: 'reader-get' }),
    ];
    const closed = memory.close();
    expect((await Promise.all(reads)).map((read) => read !== null)).toEqual([true, true, true]);
    await closed;
    const raw = createClient({ url: store.url });
    const actors = await raw.execute(
      "SELECT actor FROM audit_log WHERE actor LIKE 'reader-%' ORDER BY actor",
    );
    raw.close();
    expect(actors.rows.map((row) => row.actor)).toEqual(['reader-get', 'reader-retrieve', 'reader-text']);
  });
});

describe('audit log of reads', () => {
  it('records reads and searches, cache hit or not, with the actor and never the content', async () => {
    const { memory } = store;
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: 'SECRET-READ-4',
    });
    const reader = { actor: 'token-r' };
    await memory.episodes.get(episode.id, reader);
    await memory.episodes.get(episode.id, reader); // a cache hit when the cache is on
    await memory.episodes.list({ domain: 'web' }, reader);
    await memory.search.text({ text: 'SECRET-READ-4' }, reader);
    await memory.episodes.get('01936f3e-0000-7000-8000-000000000000', reader);
    await expect(memory.episodes.list({ limit: 0 }, reader)).rejects.toMatchObject({ code: 'VALIDATION' });
    await memory.admin.flushAudit();

    const reads = await memory.admin.audit({ actor: 'token-r' });
    expect(reads.map((e) => [e.operation, e.entityType, e.entityId, e.domain, e.outcome])).toEqual([
      ['read', 'episode', episode.id, 'web', 'ok'],
      ['read', 'episode', episode.id, 'web', 'ok'],
      ['read', 'episodes', null, 'web', 'ok'],
      ['search', 'episodes', null, null, 'ok'],
      ['read', 'episode', '01936f3e-0000-7000-8000-000000000000', null, 'error'],
      ['read', 'episodes', null, null, 'error'],
    ]);
    expect(JSON.stringify(reads)).not.toContain('SECRET');
  });

  it('names an episode read by an id in upper case by its id as stored, so a search for it finds the read', async () => {
    const { memory } = store;
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    const reader = { actor: 'token-u' };
    await memory.episodes.get(episode.id.toUpperCase(), reader);
    await memory.episodes.getJson(episode.id.toUpperCase(), reader);
    await memory.episodes.get('01936F3E-0000-7000-8000-00000000000A', reader);
    await memory.admin.flushAudit();

    const reads = await memory.admin.audit({ actor: 'token-u' });
    expect(reads.map((e) => [e.entityId, e.outcome])).toEqual([
      [episode.id, 'ok'],
      [episode.id, 'ok'],
      ['01936f3e-0000-7000-8000-00000000000a', 'error'],
    ]);
  });
});
