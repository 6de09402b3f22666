import { createTRPCClient, TRPCClientError } from '@trpc/client';
import { abortLink } from './abort-link.js';
import { batchLink } from './batch-link.js';
import { connection } from './client-options.js';
import { optionalInput, sendWith } from './input-shape.js';
import { metadataLink } from './metadata-link.js';
import { replayLink } from './replay-link.js';
import { defaultRetryPolicy } from './retry.js';
import { logStepsOnce, startOnce } from './send-once.js';
import type { AppRouter, RouterInputs, RouterOutputs } from './types.js';

type Out = RouterOutputs;
type In = RouterInputs;

/**
 * What every `RemoteMemory` method takes last (where the engine's methods take their
 * `CallOptions`, which declare `signal` too, so an embedded `Memory` is a `RemoteMemory`).
 */
export interface RemoteCallOptions {
  /**
   * Stops waiting for the call: it rejects at once with a `TRPCClientError` whose cause is an
   * `EpisodicClientError` of code `ABORTED` (its own `cause`: the signal's `reason`), and its
   * retries stop. A call already sent may still run on the server; one still waiting for a free
   * request slot is never sent.
   */
  signal?: AbortSignal | undefined;
}

type Options = RemoteCallOptions;

/**
 * The engine's `Memory` namespaces, over HTTP: the same names, arguments and results as
 * `openMemory()` from `@episodic/core` gives an embedded agent, so moving an agent to a server
 * changes only the constructor. (Operating the store, `admin` and `tokens`, stays on the
 * server's CLI and the full client.)
 */
export interface RemoteMemory {
  readonly episodes: {
    /**
     * The id is chosen before the first try (unless given), and a start that got no answer or a
     * transient status (a 5xx) is sent again under it, as `startEpisode` does: one episode.
     */
    start(input: In['episodes']['start'], options?: Options): Promise<Out['episodes']['start']>;
    /**
     * Each step without an `id` gets one before the first try, and the batch is sent again under
     * them after no answer or a transient status: the server stores a step id once.
     */
    logSteps(
      episodeId: string,
      steps: In['episodes']['logSteps']['steps'],
      options?: Options,
    ): Promise<Out['episodes']['logSteps']>;
    logStep(
      episodeId: string,
      step: In['episodes']['logSteps']['steps'][number],
      options?: Options,
    ): Promise<Out['episodes']['logSteps'][number]>;
    complete(
      episodeId: string,
      input: Omit<In['episodes']['complete'], 'episodeId'>,
      options?: Options,
    ): Promise<Out['episodes']['complete']>;
    archive(episodeId: string, options?: Options): Promise<Out['episodes']['archive']>;
    record(records: In['episodes']['record'], options?: Options): Promise<Out['episodes']['record']>;
    /** `null` when the episode does not exist or is outside the token's domains. */
    get(episodeId: string, options?: Options): Promise<Out['episodes']['get'] | null>;
    /**
     * An episode's steps in order, one page at a time (start from `get`'s `nextStepsCursor`, then
     * each page's `nextCursor`); `null` as for `get`.
     */
    steps(
      episodeId: string,
      input?: Omit<In['episodes']['steps'], 'episodeId'>,
      options?: Options,
    ): Promise<Out['episodes']['steps'] | null>;
    list(input?: In['episodes']['list'], options?: Options): Promise<Out['episodes']['list']>;
  };
  readonly search: {
    text(input: In['search']['text'], options?: Options): Promise<Out['search']['text']>;
    retrieve(input: In['search']['retrieve'], options?: Options): Promise<Out['search']['retrieve']>;
  };
  readonly patterns: {
    list(input?: In['patterns']['list'], options?: Options): Promise<Out['patterns']['list']>;
    /** `null` when the pattern does not exist or is outside the token's domains. */
    get(patternId: string, options?: Options): Promise<Out['patterns']['get'] | null>;
    relevant(input?: In['patterns']['relevant'], options?: Options): Promise<Out['patterns']['relevant']>;
    recordUsage(
      patternId: string,
      input: Omit<In['patterns']['recordUsage'], 'patternId'>,
      options?: Options,
    ): Promise<Out['patterns']['recordUsage']>;
  };
  readonly learning: {
    status(options?: Options): Promise<Out['learning']['status']>;
    flush(input?: In['learning']['flush'], options?: Options): Promise<Out['learning']['flush']>;
    retryFailed(options?: Options): Promise<Out['learning']['retryFailed']>;
    /** Admin: deletes a learner no process runs any more, with its queue rows (see core's README). */
    retire(learner: string, options?: Options): Promise<Out['learning']['retire']>;
  };
}

export interface RemoteMemoryOptions {
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
}

/** The engine answers "not there" with null; the server with a NOT_FOUND error. */
async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (
      error instanceof TRPCClientError &&
      (error.data as { code?: string } | undefined)?.code === 'NOT_FOUND'
    )
      return null;
    throw error;
  }
}

/**
 * A `RemoteMemory` on an Episodic server.
 *
 * @example
 * const memory = createRemoteMemory({ url: 'http://127.0.0.1:7777', token: process.env.EPISODIC_TOKEN! });
 * const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
 */
export function createRemoteMemory(options: RemoteMemoryOptions): RemoteMemory {
  const { url, authorization } = connection(options);
  const trpc = createTRPCClient<AppRouter>({
    links: [
      abortLink(),
      metadataLink(),
      replayLink(),
      batchLink({
        url,
        fetch: options.fetch ?? globalThis.fetch,
        authorization,
        timeoutMs: options.timeoutMs,
      }),
    ],
  });
  // Only the signal is passed on: the object may carry more (an engine's `CallOptions`), not tRPC's to read.
  const request = (options: Options | undefined) => ({ signal: options?.signal });
  return {
    episodes: {
      start: (input, options) => startOnce(trpc, input, defaultRetryPolicy, options?.signal),
      logSteps: (episodeId, steps, options) =>
        logStepsOnce(trpc, { episodeId, steps }, defaultRetryPolicy, options?.signal),
      logStep: async (episodeId, step, options) =>
        (
          await logStepsOnce(trpc, { episodeId, steps: [step] }, defaultRetryPolicy, options?.signal)
        )[0] as Out['episodes']['logSteps'][number],
      complete: (episodeId, input, options) =>
        sendWith('episodes.complete', input, 'episodeId', episodeId, (merged) =>
          trpc.episodes.complete.mutate(merged, request(options)),
        ),
      archive: (episodeId, options) => trpc.episodes.archive.mutate({ episodeId }, request(options)),
      record: (records, options) => trpc.episodes.record.mutate(records, request(options)),
      get: (episodeId, options) => orNull(trpc.episodes.get.query({ episodeId }, request(options))),
      steps: (episodeId, input, options) =>
        sendWith('episodes.steps', optionalInput(input), 'episodeId', episodeId, (merged) =>
          orNull(trpc.episodes.steps.query(merged, request(options))),
        ),
      list: (input, options) => trpc.episodes.list.query(optionalInput(input), request(options)),
    },
    search: {
      text: (input, options) => trpc.search.text.query(input, request(options)),
      retrieve: (input, options) => trpc.search.retrieve.query(input, request(options)),
    },
    patterns: {
      list: (input, options) => trpc.patterns.list.query(optionalInput(input), request(options)),
      get: (patternId, options) => orNull(trpc.patterns.get.query({ patternId }, request(options))),
      relevant: (input, options) => trpc.patterns.relevant.query(optionalInput(input), request(options)),
      recordUsage: (patternId, input, options) =>
        sendWith('patterns.recordUsage', input, 'patternId', patternId, (merged) =>
          trpc.patterns.recordUsage.mutate(merged, request(options)),
        ),
    },
    learning: {
      status: (options) => trpc.learning.status.query(undefined, request(options)),
      flush: (input, options) => trpc.learning.flush.mutate(optionalInput(input), request(options)),
      retryFailed: (options) => trpc.learning.retryFailed.mutate(undefined, request(options)),
      retire: (learner, options) => trpc.learning.retire.mutate({ learner }, request(options)),
    },
  };
}
