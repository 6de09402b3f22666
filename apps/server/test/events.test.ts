import { describe, expect, it } from 'vitest';
import { silentObserver } from '../src/context.js';
import { EpisodeDomains } from '../src/events/episode-domains.js';
import { EventBus } from '../src/events/event-bus.js';
import { createAppRouter } from '../src/router.js';
import { recordEvents } from './__fixtures__/event-recorder.js';
import { type ClientTestServer, startTestServer } from './__fixtures__/test-server.js';

describe('events.onEpisode', () => {
  it('streams started, steps, completed and archived events over SSE', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const recorder = recordEvents(t.client(await t.token({ name: 'watcher', scopes: ['read'] })));
    await recorder.started;

    const episode = await admin.episodes.start.mutate({
      taskType: 'debugging',
      domain: 'web',
      context: 'flaky test',
    });
    const steps = await admin.episodes.logSteps.mutate({
      episodeId: episode.id,
      steps: [{ action: 'rerun' }, { action: 'bisect' }],
    });
    await admin.episodes.complete.mutate({ episodeId: episode.id, status: 'completed', successRate: 0.5 });
    await admin.episodes.archive.mutate({ episodeId: episode.id });
    await recorder.until((event) => event.type === 'archived');
    recorder.stop();

    expect(recorder.events.map((event) => event.type)).toEqual(['started', 'steps', 'completed', 'archived']);
    expect(recorder.events[0]).toEqual({ type: 'started', domain: 'web', episode });
    expect(recorder.events[1]).toEqual({ type: 'steps', domain: 'web', episodeId: episode.id, steps });
    expect(recorder.events[2]).toMatchObject({
      type: 'completed',
      episode: { status: 'completed', successRate: 0.5 },
    });
  });

  it('names the domain of steps logged to an episode this server did not start', async () => {
    await using t = await startTestServer();
    const episode = await t.server.memory.episodes.start({ taskType: 'testing', domain: 'ops' });
    const recorder = recordEvents(t.client(t.adminToken), { domains: ['ops'] });
    await recorder.started;
    await t
      .client(t.adminToken)
      .episodes.logSteps.mutate({ episodeId: episode.id, steps: [{ action: 'restart' }] });
    expect(await recorder.until((event) => event.type === 'steps')).toMatchObject({
      domain: 'ops',
      episodeId: episode.id,
    });
    recorder.stop();
  });

  it("sends no steps of another domain's episode that took a forgotten episode's id", async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const alphaReader = t.client(
      await t.token({ name: 'alpha watcher', scopes: ['read'], domains: ['alpha'] }),
    );
    const started = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'alpha' });
    await admin.admin.forget.mutate({ episodeIds: [started.id] });
    // The same id recorded again (an import, a history sent again), in domain beta, still active.
    await admin.episodes.record.mutate([{ id: started.id, taskType: 'debugging', domain: 'beta' }]);

    const recorder = recordEvents(alphaReader);
    await recorder.started;
    await admin.episodes.logSteps.mutate({
      episodeId: started.id,
      steps: [{ action: 'read beta secrets', result: 'beta-only text' }],
    });
    // An alpha event after it: everything published before has been delivered by then.
    const sentinel = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'alpha' });
    await recorder.until((event) => event.type === 'started' && event.episode.id === sentinel.id);
    recorder.stop();
    expect(recorder.events.filter((event) => event.type === 'steps')).toEqual([]);
  });

  it('ends a subscription whose token is revoked, before it delivers another event', async () => {
    await using t = await startTestServer();
    const { token, bearer } = await t.server.memory.tokens.create({ name: 'watcher', scopes: ['read'] });
    const recorder = recordEvents(t.client(bearer));
    await recorder.started;
    await t.server.memory.tokens.revoke(token.id);
    await t.client(t.adminToken).episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    expect((await recorder.failed).data?.code).toBe('UNAUTHORIZED');
    expect(recorder.events).toEqual([]);
    recorder.stop();
  });
});

describe('EpisodeDomains', () => {
  function routed(t: ClientTestServer) {
    const episodeDomains = new EpisodeDomains();
    const caller = createAppRouter({
      memory: t.server.memory,
      events: new EventBus(),
      episodeDomains,
      databaseBytes: () => null,
      startedAt: 0,
    }).createCaller({
      caller: { id: 'agent', name: 'agent', scopes: ['read', 'write', 'admin'], domains: null },
      authProblem: '',
      observer: silentObserver,
      recordDenied: () => undefined,
    });
    return { episodeDomains, caller };
  }

  it('holds an episode only while it can take steps: completing or archiving it lets it go', async () => {
    await using t = await startTestServer();
    const { episodeDomains, caller } = routed(t);
    const started = [];
    for (let i = 0; i < 3; i += 1)
      started.push(await caller.episodes.start({ taskType: 'testing', domain: `d${i}` }));
    expect(episodeDomains.size).toBe(3);
    expect(episodeDomains.get(started[0]?.id ?? '')).toBe('d0');

    // A long-running server starts and finishes episodes all day: only the active ones are held.
    await caller.episodes.complete({ episodeId: started[0]?.id ?? '', status: 'completed' });
    await caller.episodes.complete({ episodeId: started[1]?.id ?? '', status: 'failed' });
    await caller.episodes.archive({ episodeId: started[2]?.id ?? '' });
    expect(episodeDomains.size).toBe(0);
  });

  it('lets a forgotten episode go, and holds the domain `episodes.record` stored', async () => {
    await using t = await startTestServer();
    const { episodeDomains, caller } = routed(t);
    const { id } = await caller.episodes.start({ taskType: 'testing', domain: 'alpha' });
    await caller.admin.forget({ episodeIds: [id] });
    expect(episodeDomains.get(id)).toBeUndefined();

    // As if forgotten by another process (`episodic forget`), which this one does not hear of.
    episodeDomains.remember(id, 'alpha');
    await caller.episodes.record([{ id, taskType: 'testing', domain: 'beta' }]);
    expect(episodeDomains.get(id)).toBe('beta');
    await caller.episodes.record([
      { id, taskType: 'testing', domain: 'beta', outcome: { status: 'completed' } },
    ]);
    expect(episodeDomains.get(id)).toBeUndefined();
  });
});
