import { TRPCError } from '@trpc/server';
import type { EpisodeEvent } from './episode-event.js';

export interface SubscribeOptions {
  /** Only events of these domains; `undefined` for all. */
  domains: readonly string[] | undefined;
  /** Who subscribes (a token id): each may hold `maxPerOwner` subscriptions at once. */
  owner: string;
  /** Ends the subscription: also before its first event is asked for (its slot is given back). */
  signal: AbortSignal | undefined;
  /** Ends the subscriber's connection: called when it fell behind and still reads nothing. */
  endConnection?: () => void;
}

interface Subscriber {
  domains: ReadonlySet<string> | undefined;
  /** Waiting events, each with the length of its JSON. */
  queue: { event: EpisodeEvent; chars: number }[];
  /** The sum of the waiting events' `chars`. */
  queuedChars: number;
  wake: (() => void) | null;
  overflowed: boolean;
  /** Ends the connection of an overflowed subscriber that has not read since (`stalledEndMs`). */
  stalled: NodeJS.Timeout | null;
  endConnection: (() => void) | undefined;
}

/** Events a subscriber may have waiting before it is dropped as too slow. */
export const maxQueuedEvents = 1000;

/**
 * Characters of events (their JSON) a subscriber may have waiting before it is dropped as too
 * slow. A count alone did not bound memory: a `steps` event holds a whole `logSteps` call (up to
 * the request body limit), and a client that stopped reading kept 1,000 such events, 545 MB of
 * heap after 400 episodes of 1 MB of steps, measured. One event larger than this is still
 * delivered to a subscriber with nothing else waiting.
 */
export const maxQueuedChars = 16 * 1024 * 1024;

/**
 * How long a subscriber that fell too far behind may go on reading nothing before its connection
 * is ended. It is told `TOO_MANY_REQUESTS` when it reads again; one that never does kept what the
 * server had already written towards it (60–90 MB of heap per such client, measured) until it
 * closed its socket, for as long as it lived.
 */
export const stalledEndMs = 10_000;

/**
 * Why a subscription ends when the server stops: `SERVICE_UNAVAILABLE`, which tRPC's client takes
 * as a reason to connect again (a stream that finished cleanly, it took as the end, and an SDK
 * subscriber heard nothing more after a restart, without a word).
 */
const stopping = () =>
  new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: 'The server is stopping; subscribe again (tRPC clients connect again by themselves).',
  });

/**
 * In-process fan-out of episode events to live subscriptions. Publishing never waits on a
 * subscriber: each has a queue bounded in events and in size, and one that falls too far behind
 * is ended with an error (it may resubscribe) rather than slowing the writers or growing without
 * bound. Its waiting events are dropped at once: it lost events either way, and keeping them
 * until a stalled client read them (or never) is what held the memory.
 */
export class EventBus {
  readonly #subscribers = new Set<Subscriber>();
  /** Live subscriptions per owner. */
  readonly #owned = new Map<string, number>();
  readonly #maxPerOwner: number;
  #closed = false;

  /**
   * `maxPerOwner`: subscriptions one token may hold at once (`maxSubscriptionsPerToken`). Every
   * event is written to each subscriber of its domain on the thread that answers every request,
   * so without a bound one token's thousands of streams slowed every other token's calls.
   */
  constructor({ maxPerOwner }: { maxPerOwner: number }) {
    this.#maxPerOwner = maxPerOwner;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  publish(event: EpisodeEvent): void {
    // Measured once, for the first subscriber that takes it (JSON is what the stream sends).
    let chars: number | undefined;
    for (const subscriber of this.#subscribers) {
      if (subscriber.domains !== undefined && !subscriber.domains.has(event.domain)) continue;
      if (subscriber.overflowed) continue;
      chars ??= JSON.stringify(event).length;
      const full =
        subscriber.queue.length >= maxQueuedEvents ||
        (subscriber.queue.length > 0 && subscriber.queuedChars + chars > maxQueuedChars);
      if (full) {
        subscriber.overflowed = true;
        subscriber.queue = [];
        subscriber.queuedChars = 0;
        if (subscriber.endConnection !== undefined) {
          subscriber.stalled = setTimeout(subscriber.endConnection, stalledEndMs);
          subscriber.stalled.unref();
        }
      } else {
        subscriber.queue.push({ event, chars });
        subscriber.queuedChars += chars;
      }
      subscriber.wake?.();
    }
  }

  /**
   * Registers a subscription at once (its events queue from now on) and returns its stream.
   * Throws `SERVICE_UNAVAILABLE` when the server is stopping and `TOO_MANY_REQUESTS` when the
   * owner holds `maxPerOwner` already. The slot is given back when the stream ends or `signal`
   * aborts, whichever comes first: a stream never asked for its first event ends no other way.
   */
  subscribe({ domains, owner, signal, endConnection }: SubscribeOptions): AsyncGenerator<EpisodeEvent, void> {
    if (this.#closed) throw stopping();
    const owned = this.#owned.get(owner) ?? 0;
    if (owned >= this.#maxPerOwner) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `This token already has ${owned} live subscriptions, the most it may hold (maxSubscriptionsPerToken); end one first.`,
      });
    }
    const subscriber: Subscriber = {
      domains: domains === undefined ? undefined : new Set(domains),
      queue: [],
      queuedChars: 0,
      wake: null,
      overflowed: false,
      stalled: null,
      endConnection,
    };
    this.#subscribers.add(subscriber);
    this.#owned.set(owner, owned + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (subscriber.stalled !== null) clearTimeout(subscriber.stalled);
      signal?.removeEventListener('abort', abort);
      this.#subscribers.delete(subscriber);
      const left = (this.#owned.get(owner) ?? 1) - 1;
      if (left === 0) this.#owned.delete(owner);
      else this.#owned.set(owner, left);
    };
    const abort = () => {
      release();
      subscriber.wake?.();
    };
    if (signal?.aborted) release();
    else signal?.addEventListener('abort', abort);
    const stream = this.#stream(subscriber, signal, release);
    // A generator ended before its first `next()` never runs its `finally`: the slot goes back here.
    const end = stream.return.bind(stream);
    stream.return = (value) => {
      release();
      return end(value);
    };
    return stream;
  }

  async *#stream(
    subscriber: Subscriber,
    signal: AbortSignal | undefined,
    release: () => void,
  ): AsyncGenerator<EpisodeEvent, void> {
    try {
      while (signal?.aborted !== true) {
        if (subscriber.overflowed) {
          throw new TRPCError({
            code: 'TOO_MANY_REQUESTS',
            message: 'Subscriber fell too far behind; subscribe again.',
          });
        }
        const next = subscriber.queue.shift();
        if (next !== undefined) {
          subscriber.queuedChars -= next.chars;
          yield next.event;
          continue;
        }
        if (this.#closed) throw stopping();
        await new Promise<void>((resolve) => {
          subscriber.wake = resolve;
        });
        subscriber.wake = null;
      }
    } finally {
      release();
    }
  }

  /**
   * Ends every subscription once it has what was published before (`stopping`) and refuses new
   * ones: the server is stopping.
   */
  close(): void {
    this.#closed = true;
    for (const subscriber of this.#subscribers) subscriber.wake?.();
  }
}
