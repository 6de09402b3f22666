import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { describe, expect, it } from 'vitest';
import { tokenCheckMs } from '../src/routers/events.js';
import { startServer } from '../src/server.js';
import { recordEvents } from './__fixtures__/event-recorder.js';
import { createTestClient, startTestServer } from './__fixtures__/test-server.js';

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

  it('refuses a filter of more domains than a token may hold with one short error', async () => {
    await using t = await startTestServer();
    // A million empty domains (3 MB) were each refused, every refusal listed: out of memory.
    const domains = Array.from({ length: 200_000 }, () => '');
    const response = await fetch(`${t.url}/trpc/events.onEpisode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ domains }),
    });
    const reader = response.body?.getReader();
    let text = '';
    while (reader !== undefined && !text.includes('"code"')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader?.cancel();
    expect(text).toContain('Too big: expected array to have <=1000 items');
    expect(text.length).toBeLessThan(2_000);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
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

  it('sends steps to the domain of the episode they were written to, though another process forgot its id and started it again', async () => {
    await using t = await startTestServer();
    const admin = t.client(t.adminToken);
    const reader = async (domain: string) =>
      recordEvents(
        t.client(await t.token({ name: `${domain} watcher`, scopes: ['read'], domains: [domain] })),
      );
    const [alpha, beta] = [await reader('alpha'), await reader('beta')];
    await Promise.all([alpha.started, beta.started]);
    const { id } = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'alpha' });
    await admin.episodes.logSteps.mutate({ episodeId: id, steps: [{ action: 'alpha step' }] });
    await alpha.until((event) => event.type === 'steps');

    // Another process on the same database (`episodic forget`, a second server), which this
    // server does not hear from: the episode forgotten, its id then starting one in beta.
    const other = await openMemory({ url: t.server.memory.config.url, cache: false });
    try {
      await other.admin.forget({ episodeIds: [id] });
      await other.episodes.start({ id, taskType: 'debugging', domain: 'beta' });
    } finally {
      await other.close();
    }

    const [secret] = await admin.episodes.logSteps.mutate({
      episodeId: id,
      steps: [{ action: 'read beta secrets', result: 'beta-only text' }],
    });
    // An event in each domain after it: everything published before has been delivered by then.
    for (const [domain, recorder] of [
      ['alpha', alpha],
      ['beta', beta],
    ] as const) {
      const sentinel = await admin.episodes.start.mutate({ taskType: 'debugging', domain });
      await recorder.until((event) => event.type === 'started' && event.episode.id === sentinel.id);
      recorder.stop();
    }
    const steps = (recorder: typeof alpha) => recorder.events.filter((event) => event.type === 'steps');
    expect(steps(beta)).toEqual([{ type: 'steps', domain: 'beta', episodeId: id, steps: [secret] }]);
    expect(steps(alpha)).toHaveLength(1);
    expect(JSON.stringify(alpha.events)).not.toContain('beta');
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

  it('ends a subscription whose token is revoked while its domains are quiet', async () => {
    await using t = await startTestServer();
    const { token, bearer } = await t.server.memory.tokens.create({ name: 'watcher', scopes: ['read'] });
    const recorder = recordEvents(t.client(bearer));
    await recorder.started;
    const revokedAt = Date.now();
    await t.server.memory.tokens.revoke(token.id);
    // No event is written: before, the stream stayed open (pings only) until the next one.
    expect((await recorder.failed).data?.code).toBe('UNAUTHORIZED');
    expect(Date.now() - revokedAt).toBeLessThan(tokenCheckMs + 5_000);
    recorder.stop();
  });

  it("connects again by itself when the server restarts, and receives the new server's events", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'episodic-events-restart-'));
    const quiet = { dataDir, log: () => undefined };
    let server = await startServer({ ...quiet, port: 0 });
    try {
      const { port, url } = server;
      const { bearer } = await server.memory.tokens.create({ name: 'watcher', scopes: ['read', 'write'] });
      const client = createTestClient(url, bearer);
      const recorder = recordEvents(client);
      await recorder.started;
      const first = await client.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
      await recorder.until((event) => event.type === 'started' && event.episode.id === first.id);

      // A deploy: the server stops (SIGTERM does this) and another starts on the same port.
      await server.close();
      server = await startServer({ ...quiet, port });
      let ended = false;
      void recorder.ended.then(() => (ended = true));
      // The client connects again after a few seconds (what is written meanwhile is not sent to
      // it: events are not kept): an episode a second until one is heard; room for a loaded machine.
      let heard: string | null = null;
      for (const deadline = Date.now() + 60_000; heard === null && !ended && Date.now() < deadline; ) {
        const { id } = await client.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
        heard = await Promise.race([
          recorder.until((event) => event.type === 'started' && event.episode.id === id).then(() => id),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000)),
        ]);
      }
      // Before, the stream finished cleanly at the stop, and the client took that as its end.
      expect(ended).toBe(false);
      expect(heard).not.toBeNull();
      recorder.stop();
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
