import type { Episode, Step } from '@episodic/core';
import { describe, expect, it } from 'vitest';
import type { EpisodeEvent } from './episode-event.js';
import { EventBus, maxQueuedChars, maxQueuedEvents } from './event-bus.js';

const episode = (domain: string, id: string) => ({ id, domain }) as Episode;
const started = (domain: string, id = domain): EpisodeEvent => ({
  type: 'started',
  domain,
  episode: episode(domain, id),
});

async function take(iterator: AsyncGenerator<EpisodeEvent, void>, count: number): Promise<EpisodeEvent[]> {
  const events: EpisodeEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done === true) break;
    events.push(next.value);
  }
  return events;
}

describe('event bus', () => {
  it('holds each token to maxPerOwner live subscriptions, counted as they are opened, given back as they end', async () => {
    const bus = new EventBus({ maxPerOwner: 2 });
    const first = bus.subscribe({ domains: undefined, owner: 'a', signal: undefined });
    const gone = new AbortController();
    // Neither stream has been asked for an event yet: each holds its slot from the subscribe.
    bus.subscribe({ domains: undefined, owner: 'a', signal: gone.signal });
    const refused = () => bus.subscribe({ domains: undefined, owner: 'a', signal: undefined });
    expect(refused).toThrow(expect.objectContaining({ code: 'TOO_MANY_REQUESTS' }));
    expect(refused).toThrow(/already has 2 live subscriptions.*maxSubscriptionsPerToken/);
    // Another token is not held by a's streams.
    const other = bus.subscribe({ domains: undefined, owner: 'b', signal: undefined });
    expect(bus.subscriberCount).toBe(3);
    // A request that ends before its stream was ever started gives its slot back.
    gone.abort();
    expect(bus.subscriberCount).toBe(2);
    const third = bus.subscribe({ domains: undefined, owner: 'a', signal: undefined });
    expect(refused).toThrow(expect.objectContaining({ code: 'TOO_MANY_REQUESTS' }));
    // A stream ended by its consumer gives its slot back too.
    await first.return(undefined);
    const fourth = bus.subscribe({ domains: undefined, owner: 'a', signal: undefined });
    const next = fourth.next();
    bus.publish(started('web', 'w1'));
    expect((await next).value).toMatchObject({ episode: { id: 'w1' } });
    // An already aborted signal takes no slot.
    await third.return(undefined);
    const aborted = AbortSignal.abort();
    bus.subscribe({ domains: undefined, owner: 'a', signal: aborted });
    bus.subscribe({ domains: undefined, owner: 'a', signal: undefined });
    await other.return(undefined);
  });

  it('delivers only the subscribed domains, in publish order', async () => {
    const bus = new EventBus({ maxPerOwner: 16 });
    const web = bus.subscribe({ domains: ['web'], owner: 'tok', signal: undefined });
    const all = bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined });
    const webNext = take(web, 2);
    const allNext = take(all, 3);
    await Promise.resolve();
    bus.publish(started('web', 'w1'));
    bus.publish(started('ops', 'o1'));
    bus.publish(started('web', 'w2'));
    expect((await webNext).map((event) => event.domain)).toEqual(['web', 'web']);
    expect((await allNext).map((event) => event.domain)).toEqual(['web', 'ops', 'web']);
  });

  it('ends subscriptions on close (the server is stopping) and when their signal aborts', async () => {
    const bus = new EventBus({ maxPerOwner: 16 });
    const controller = new AbortController();
    const aborted = bus.subscribe({ domains: undefined, owner: 'tok', signal: controller.signal });
    const open = bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined });
    const abortedNext = aborted.next();
    const openNext = open.next();
    await Promise.resolve();
    expect(bus.subscriberCount).toBe(2);
    controller.abort();
    expect(await abortedNext).toEqual({ done: true, value: undefined });
    bus.close();
    // As a service unavailable for now: tRPC's client connects again (to the server started next).
    await expect(openNext).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(bus.subscriberCount).toBe(0);
    expect(() => bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined })).toThrow(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }),
    );
  });

  it('delivers what was published before it closed, then ends', async () => {
    const bus = new EventBus({ maxPerOwner: 16 });
    const open = bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined });
    const first = open.next();
    await Promise.resolve();
    bus.publish(started('web', 'w1'));
    bus.publish(started('web', 'w2'));
    bus.close();
    expect((await first).value).toMatchObject({ episode: { id: 'w1' } });
    expect((await open.next()).value).toMatchObject({ episode: { id: 'w2' } });
    await expect(open.next()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('drops a subscriber that falls 1,000 events behind, and what it had waiting, instead of growing without bound', async () => {
    const bus = new EventBus({ maxPerOwner: 16 });
    const slow = bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined });
    const first = slow.next();
    await Promise.resolve();
    for (let i = 0; i < maxQueuedEvents; i += 1) bus.publish(started('web', String(i)));
    expect((await first).value).toMatchObject({ episode: { id: '0' } });
    // 999 waiting: one more fits.
    bus.publish(started('web', 'fits'));
    expect((await slow.next()).value).toMatchObject({ episode: { id: '1' } });
    // 999 waiting again: one more fits, the next is one too many.
    bus.publish(started('web', 'fits too'));
    bus.publish(started('web', 'one too many'));
    // Not event 2: what waited was dropped with the subscriber.
    await expect(slow.next()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(bus.subscriberCount).toBe(0);
  });

  it('drops a subscriber whose waiting events pass 16 MiB of JSON, however few', async () => {
    const bus = new EventBus({ maxPerOwner: 16 });
    const slow = bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined });
    const keepingUp = bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined });
    const first = slow.next();
    let keepingUpNext = keepingUp.next();
    await Promise.resolve();
    // Each event is one `logSteps` call of 1 MiB of results.
    const mib = (n: number): EpisodeEvent => ({
      type: 'steps',
      domain: 'web',
      episodeId: String(n),
      steps: [{ result: 'x'.repeat(1024 * 1024) } as Step],
    });
    bus.publish(mib(0));
    expect((await first).value).toMatchObject({ episodeId: '0' });
    const received: string[] = [];
    for (let n = 1; n <= 20; n += 1) {
      const next = await keepingUpNext;
      if (next.done !== true && next.value.type === 'steps') received.push(next.value.episodeId);
      keepingUpNext = keepingUp.next();
      bus.publish(mib(n));
    }
    // The reader that keeps up gets every event; the one that stopped was ended once 16 MiB waited.
    expect(received).toHaveLength(20);
    expect(maxQueuedChars).toBe(16 * 1024 * 1024);
    await expect(slow.next()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('delivers one event larger than the bound to a subscriber with nothing waiting', async () => {
    const bus = new EventBus({ maxPerOwner: 16 });
    const subscriber = bus.subscribe({ domains: undefined, owner: 'tok', signal: undefined });
    const first = subscriber.next();
    await Promise.resolve();
    const huge: EpisodeEvent = {
      type: 'steps',
      domain: 'web',
      episodeId: 'huge',
      steps: [{ result: 'x'.repeat(maxQueuedChars + 1) } as Step],
    };
    bus.publish(huge);
    expect((await first).value).toMatchObject({ episodeId: 'huge' });
    bus.publish(started('web', 'after'));
    expect((await subscriber.next()).value).toMatchObject({ episode: { id: 'after' } });
  });
});
