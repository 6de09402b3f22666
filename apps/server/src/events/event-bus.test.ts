import type { Episode } from '@episodic/core';
import { describe, expect, it } from 'vitest';
import type { EpisodeEvent } from './episode-event.js';
import { EventBus } from './event-bus.js';

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
  it('delivers only the subscribed domains, in publish order', async () => {
    const bus = new EventBus();
    const web = bus.subscribe({ domains: ['web'], signal: undefined });
    const all = bus.subscribe({ domains: undefined, signal: undefined });
    const webNext = take(web, 2);
    const allNext = take(all, 3);
    await Promise.resolve();
    bus.publish(started('web', 'w1'));
    bus.publish(started('ops', 'o1'));
    bus.publish(started('web', 'w2'));
    expect((await webNext).map((event) => event.domain)).toEqual(['web', 'web']);
    expect((await allNext).map((event) => event.domain)).toEqual(['web', 'ops', 'web']);
  });

  it('ends subscriptions on close and when their signal aborts', async () => {
    const bus = new EventBus();
    const controller = new AbortController();
    const aborted = bus.subscribe({ domains: undefined, signal: controller.signal });
    const open = bus.subscribe({ domains: undefined, signal: undefined });
    const abortedNext = aborted.next();
    const openNext = open.next();
    await Promise.resolve();
    expect(bus.subscriberCount).toBe(2);
    controller.abort();
    expect(await abortedNext).toEqual({ done: true, value: undefined });
    bus.close();
    expect(await openNext).toEqual({ done: true, value: undefined });
    expect(bus.subscriberCount).toBe(0);
    expect(await bus.subscribe({ domains: undefined, signal: undefined }).next()).toEqual({
      done: true,
      value: undefined,
    });
  });

  it('drops a subscriber that falls too far behind instead of growing without bound', async () => {
    const bus = new EventBus();
    const slow = bus.subscribe({ domains: undefined, signal: undefined });
    const first = slow.next();
    await Promise.resolve();
    for (let i = 0; i < 1500; i += 1) bus.publish(started('web', String(i)));
    expect((await first).value).toMatchObject({ episode: { id: '0' } });
    const rest = await take(slow, 999).catch((error: unknown) => error);
    expect(rest).toHaveLength(999);
    await expect(slow.next()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });
});
