import type { EpisodeEvent } from '../../src/events/episode-event.js';
import type { TestClient } from './test-server.js';

export interface EventRecorder {
  events: EpisodeEvent[];
  /** Resolves once the server has opened the stream. */
  started: Promise<void>;
  /** Resolves with the subscription's error, if it gets one. */
  failed: Promise<{ message: string; data?: { code?: string } }>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves once an event matching `predicate` has arrived. */
  until(predicate: (event: EpisodeEvent) => boolean): Promise<EpisodeEvent>;
  stop(): void;
}

/** Subscribes to `events.onEpisode` over SSE and keeps what arrives. */
export function recordEvents(client: TestClient, input?: { domains?: string[] }): EventRecorder {
  const events: EpisodeEvent[] = [];
  const waiters: { predicate: (event: EpisodeEvent) => boolean; resolve: (event: EpisodeEvent) => void }[] =
    [];
  let onStarted!: () => void;
  let onFailed!: (error: { message: string; data?: { code?: string } }) => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const failed = new Promise<{ message: string; data?: { code?: string } }>(
    (resolve) => (onFailed = resolve),
  );
  let onEnded!: () => void;
  const ended = new Promise<void>((resolve) => (onEnded = resolve));
  const subscription = client.events.onEpisode.subscribe(input, {
    onStarted: () => onStarted(),
    onData: (event) => {
      events.push(event);
      for (const waiter of waiters.filter((candidate) => candidate.predicate(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    },
    onError: (error) => onFailed(error as unknown as { message: string; data?: { code?: string } }),
    onComplete: () => onEnded(),
  });
  return {
    events,
    started,
    failed,
    ended,
    until: (predicate) => {
      const found = events.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    stop: () => subscription.unsubscribe(),
  };
}
