import { TRPCError } from '@trpc/server';
import type { EpisodeEvent } from './episode-event.js';

export interface SubscribeOptions {
  /** Only events of these domains; `undefined` for all. */
  domains: readonly string[] | undefined;
  signal: AbortSignal | undefined;
}

interface Subscriber {
  domains: ReadonlySet<string> | undefined;
  queue: EpisodeEvent[];
  wake: (() => void) | null;
  overflowed: boolean;
}

/** Events a subscriber may have waiting before it is dropped as too slow. */
const maxQueued = 1000;

/**
 * In-process fan-out of episode events to live subscriptions. Publishing never waits on a
 * subscriber: each has a bounded queue, and one that falls too far behind is ended with an
 * error (it may resubscribe) rather than slowing the writers or growing without bound.
 */
export class EventBus {
  readonly #subscribers = new Set<Subscriber>();
  #closed = false;

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  publish(event: EpisodeEvent): void {
    for (const subscriber of this.#subscribers) {
      if (subscriber.domains !== undefined && !subscriber.domains.has(event.domain)) continue;
      if (subscriber.queue.length >= maxQueued) subscriber.overflowed = true;
      else subscriber.queue.push(event);
      subscriber.wake?.();
    }
  }

  async *subscribe({ domains, signal }: SubscribeOptions): AsyncGenerator<EpisodeEvent, void> {
    if (this.#closed) return;
    const subscriber: Subscriber = {
      domains: domains === undefined ? undefined : new Set(domains),
      queue: [],
      wake: null,
      overflowed: false,
    };
    const wake = () => subscriber.wake?.();
    this.#subscribers.add(subscriber);
    signal?.addEventListener('abort', wake);
    try {
      while (!this.#closed && signal?.aborted !== true) {
        const event = subscriber.queue.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (subscriber.overflowed) {
          throw new TRPCError({
            code: 'TOO_MANY_REQUESTS',
            message: 'Subscriber fell too far behind; subscribe again.',
          });
        }
        await new Promise<void>((resolve) => {
          subscriber.wake = resolve;
        });
        subscriber.wake = null;
      }
    } finally {
      signal?.removeEventListener('abort', wake);
      this.#subscribers.delete(subscriber);
    }
  }

  /** Ends every subscription (their streams finish cleanly) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const subscriber of this.#subscribers) subscriber.wake?.();
  }
}
