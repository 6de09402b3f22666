import { createTRPCClient, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import { EventSource } from 'eventsource';
import { abortLink } from './abort-link.js';
import { batchLink } from './batch-link.js';
import { connection } from './client-options.js';
import { defaultStepBufferOptions, EpisodeHandle, type StepBufferOptions } from './episode-handle.js';
import { metadataLink } from './metadata-link.js';
import type { RemoteCallOptions } from './remote-memory.js';
import { replayLink } from './replay-link.js';
import { startOnce } from './send-once.js';
import { startIdLink } from './start-id-link.js';
import type { AppRouter, StartEpisodeInput } from './types.js';

export interface EpisodicClientOptions {
  /** The server's address, e.g. `http://127.0.0.1:7777` (the `/trpc` path is added). */
  url: string;
  /** A bearer token from `episodic tokens create`. */
  token: string;
  /** A `fetch` to use instead of the global one (custom CA, proxy, tests). */
  fetch?: typeof globalThis.fetch;
  /**
   * Longest wait for the answer to one request once it is sent (not while it waits for a free
   * slot, see `maxRequestsInFlight`): past it, its calls reject with an `EpisodicClientError` of
   * code `TIMEOUT` as their cause, and are not sent again. Default: none of its own (Node's
   * `fetch` gives up after 5 minutes without the answer's headers).
   */
  timeoutMs?: number;
  /** How `startEpisode` handles buffer and send steps. */
  steps?: Partial<StepBufferOptions>;
}

export interface EpisodeHelpers {
  /**
   * Starts an episode and returns a handle that records its steps in batches. The episode's id
   * is chosen here (or given as `input.id`), so a start whose answer was lost is sent again,
   * under `steps.retry`, and still makes one episode. `signal` stops waiting for the start, as
   * for `RemoteMemory`'s `episodes.start`.
   */
  startEpisode(input: StartEpisodeInput, options?: RemoteCallOptions): Promise<EpisodeHandle>;
}

/** The typed tRPC client for the whole API, plus the episode helper. */
export type EpisodicClient = TRPCClient<AppRouter> & EpisodeHelpers;

/**
 * Creates a client. Queries and mutations made in the same tick share one HTTP request;
 * subscriptions (`events.onEpisode`) use Server-Sent Events with the same token. A `url` that is
 * not an http(s) address, or a `token` that is missing or empty, throws an `EpisodicClientError`
 * of code `INVALID_OPTIONS` here rather than failing every call.
 *
 * @example
 * const client = createEpisodicClient({ url: 'http://127.0.0.1:7777', token: process.env.EPISODIC_TOKEN! });
 * const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
 * episode.step({ action: 'ran the failing test', result: 'TypeError at line 3', success: false });
 * await episode.complete({ status: 'completed' });
 */
export function createEpisodicClient(options: EpisodicClientOptions): EpisodicClient {
  const { url, authorization } = connection(options);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const trpc = createTRPCClient<AppRouter>({
    links: [
      abortLink(),
      metadataLink(),
      startIdLink(),
      replayLink(),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          // The `eventsource` package, unlike the browser's EventSource, can send the token as a header.
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetchImpl(input, { ...init, headers: { ...init.headers, authorization } }),
          }),
        }),
        false: batchLink({ url, fetch: fetchImpl, authorization, timeoutMs: options.timeoutMs }),
      }),
    ],
  });
  const stepOptions: StepBufferOptions = { ...defaultStepBufferOptions, ...options.steps };
  const helpers: EpisodeHelpers = {
    async startEpisode(input, options) {
      const episode = await startOnce(trpc, input, stepOptions.retry, options?.signal);
      return new EpisodeHandle(trpc, episode, stepOptions);
    },
  };
  // The tRPC client is a proxy that turns every property into a procedure path, so the
  // helpers are served by a proxy in front of it rather than assigned onto it.
  return new Proxy(trpc, {
    get: (target, key, receiver) =>
      Object.hasOwn(helpers, key) ? helpers[key as keyof EpisodeHelpers] : Reflect.get(target, key, receiver),
  }) as EpisodicClient;
}
