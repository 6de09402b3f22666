import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents } from './__fixtures__/event-recorder.js';
import {
  type ClientTestServer,
  rejection,
  startTestServer,
  type TestClient,
} from './__fixtures__/test-server.js';

let t: ClientTestServer;
let admin: TestClient;
let agent: TestClient;
let agentId: string;
const secret = 'quokka-ledger-7731';

const idOf = (bearer: string) => /^ep_([0-9a-f-]{36})_/.exec(bearer)?.[1] as string;

beforeAll(async () => {
  t = await startTestServer();
  admin = t.client(t.adminToken);
  const bearer = await t.token({ name: 'agent', scopes: ['read', 'write'], domains: ['web'] });
  agentId = idOf(bearer);
  agent = t.client(bearer);
});
afterAll(async () => {
  await t.close();
});

describe('the audit log through the server', () => {
  it("records each call under the caller's token id, never the content", async () => {
    const episode = await agent.episodes.start.mutate({
      taskType: 'debugging',
      domain: 'web',
      context: `${secret} context`,
    });
    await agent.episodes.logSteps.mutate({
      episodeId: episode.id,
      steps: [{ action: `read ${secret}`, result: secret }],
    });
    await agent.episodes.complete.mutate({ episodeId: episode.id, status: 'completed', successRate: 1 });
    await agent.episodes.get.query({ episodeId: episode.id });
    await agent.search.text.query({ text: secret });
    await agent.search.retrieve.query({ text: secret });
    const subscription = recordEvents(agent);
    await subscription.started;
    subscription.stop();

    const entries = await admin.admin.audit.query({ actor: agentId, limit: 1000 });
    const seen = entries.map((entry) => `${entry.operation} ${entry.entityType} ${entry.outcome}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'create episode ok',
        'read episode ok',
        'search episodes ok',
        'read events ok',
      ]),
    );
    expect(seen.filter((line) => line.startsWith('search')).length).toBeGreaterThanOrEqual(2);
    expect(
      entries.filter((entry) => entry.entityId === episode.id).every((entry) => entry.domain === 'web'),
    ).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(secret);
    // Nothing the agent did is recorded under another actor.
    const all = await admin.admin.audit.query({ limit: 1000 });
    expect(all.filter((entry) => entry.entityId === episode.id).map((entry) => entry.actor)).toEqual(
      expect.arrayContaining([agentId]),
    );
    expect(all.filter((entry) => entry.entityId === episode.id && entry.actor === 'local')).toEqual([]);
  });

  it('records refusals the server makes itself as denied', async () => {
    const refused = await rejection(agent.episodes.list.query({ domain: 'finance' }));
    expect(refused.data?.code).toBe('FORBIDDEN');
    expect((await rejection(agent.admin.stats.query())).data?.code).toBe('FORBIDDEN');
    const denied = await admin.admin.audit.query({ actor: agentId, outcome: 'denied' });
    expect(denied.map((entry) => [entry.entityType, entry.entityId])).toEqual(
      expect.arrayContaining([
        ['procedure', 'episodes.list'],
        ['procedure', 'admin.stats'],
      ]),
    );
  });

  it('filters by time and operation, and validates the query with field paths', async () => {
    const since = new Date().toISOString();
    const later = await agent.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    const created = await admin.admin.audit.query({ since, operation: 'create' });
    expect(created.map((entry) => entry.entityId)).toEqual([later.id]);
    expect(await admin.admin.audit.query({ until: '2000-01-01T00:00:00Z' })).toEqual([]);
    const bad = await rejection(admin.admin.audit.query({ operation: 'steal' as never, limit: 0 }));
    expect(bad.data?.code).toBe('BAD_REQUEST');
    expect((bad.data!.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual([
      'limit',
      'operation',
    ]);
  });

  it('forgets on request through admin.forget, auditing each deletion under the admin token', async () => {
    const adminId = idOf(t.adminToken);
    const doomed = await agent.episodes.start.mutate({
      taskType: 'debugging',
      domain: 'web',
      context: 'erase-me-4410',
      metadata: { customer: 'c-99' },
    });
    const kept = await agent.episodes.start.mutate({
      taskType: 'debugging',
      domain: 'web',
      metadata: { customer: 'c-1' },
    });
    const report = await admin.admin.forget.mutate({ metadata: { customer: 'c-99' } });
    expect(report).toMatchObject({ episodeIds: [doomed.id], domains: ['web'] });
    expect((await rejection(agent.episodes.get.query({ episodeId: doomed.id }))).data?.code).toBe(
      'NOT_FOUND',
    );
    expect(await agent.search.text.query({ text: 'erase-me-4410' })).toEqual([]);
    expect((await agent.episodes.get.query({ episodeId: kept.id })).id).toBe(kept.id);
    const deletions = await admin.admin.audit.query({ operation: 'delete' });
    expect(deletions.map((entry) => [entry.actor, entry.entityId, entry.outcome])).toEqual([
      [adminId, doomed.id, 'ok'],
    ]);
    const refused = await rejection(admin.admin.forget.mutate({ metadata: {} }));
    expect([refused.data?.code, (refused.data!.issues as { path: string }[])[0]?.path]).toEqual([
      'BAD_REQUEST',
      'metadata',
    ]);
  });
});
