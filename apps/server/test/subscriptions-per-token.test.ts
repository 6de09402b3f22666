import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config/server-config.js';
import { type EventRecorder, recordEvents } from './__fixtures__/event-recorder.js';
import { startTestServer, type TestClient } from './__fixtures__/test-server.js';

/** Subscribes and waits until the server either opened the stream or refused it. */
async function attempt(client: TestClient): Promise<{ recorder: EventRecorder; refusal: string | null }> {
  const recorder = recordEvents(client, { domains: ['web'] });
  const refusal = await Promise.race([
    // The stream opens (`started`) before the server's first message, refusal or not: the
    // refusal is an error event in a 200 stream, so wait for it or for a first event.
    recorder.failed.then((error) => error.data?.code ?? error.message),
    recorder.started.then(() => new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_000))),
  ]);
  return { recorder, refusal };
}

describe('live subscriptions per token', () => {
  it('defaults to 16', () => {
    expect(parseServerConfig({}).maxSubscriptionsPerToken).toBe(16);
  });

  it("refuses a token's subscription past the bound, leaves other tokens alone, and takes one again once one ends", async () => {
    await using t = await startTestServer({ maxSubscriptionsPerToken: 3, miners: [], embeddings: 'none' });
    const admin = t.client(t.adminToken);
    const watcher = t.client(await t.token({ name: 'watcher', scopes: ['read'], domains: ['web'] }));
    const other = t.client(await t.token({ name: 'other', scopes: ['read'], domains: ['web'] }));

    const open: EventRecorder[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { recorder, refusal } = await attempt(watcher);
      expect(refusal).toBeNull();
      open.push(recorder);
    }
    const fourth = await attempt(watcher);
    expect(fourth.refusal).toBe('TOO_MANY_REQUESTS');
    expect((await fourth.recorder.failed).message).toMatch(
      /already has 3 live subscriptions.*maxSubscriptionsPerToken/,
    );
    fourth.recorder.stop();

    // Another token's stream is not held by the watcher's, and every open stream gets events.
    const others = await attempt(other);
    expect(others.refusal).toBeNull();
    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    for (const recorder of [...open, others.recorder])
      await recorder.until((event) => event.type === 'started' && event.episode.id === episode.id);

    // A client that goes away gives its slot back (the server sees its request end).
    open.shift()?.stop();
    await expect
      .poll(
        async () => {
          const { recorder, refusal } = await attempt(watcher);
          if (refusal === null) open.push(recorder);
          else recorder.stop();
          return refusal;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBeNull();
    const subscribers = /^episodic_event_subscribers (\d+)$/m.exec(
      await (await fetch(`${t.url}/metrics`)).text(),
    )?.[1];
    expect(subscribers).toBe('4');
    for (const recorder of [...open, others.recorder]) recorder.stop();
  }, 60_000);
});
