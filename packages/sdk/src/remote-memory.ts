import { createTRPCClient, TRPCClientError } from '@trpc/client';
import { batchLink } from './batch-link.js';
import { apiUrl } from './client.js';
import { metadataLink } from './metadata-link.js';
import { replayLink } from './replay-link.js';
import { defaultRetryPolicy } from './retry.js';
import { logStepsOnce, startOnce } from './send-once.js';
import type { AppRouter, RouterInputs, RouterOutputs } from './types.js';

type Out = RouterOutputs;
type In = RouterInputs;

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
    start(input: In['episodes']['start']): Promise<Out['episodes']['start']>;
    /**
     * Each step without an `id` gets one before the first try, and the batch is sent again under
     * them after no answer or a transient status: the server stores a step id once.
     */
    logSteps(
      episodeId: string,
      steps: In['episodes']['logSteps']['steps'],
    ): Promise<Out['episodes']['logSteps']>;
    logStep(
      episodeId: string,
      step: In['episodes']['logSteps']['steps'][number],
    ): Promise<Out['episodes']['logSteps'][number]>;
    complete(
      episodeId: string,
      input: Omit<In['episodes']['complete'], 'episodeId'>,
    ): Promise<Out['episodes']['complete']>;
    archive(episodeId: string): Promise<Out['episodes']['archive']>;
    record(records: In['episodes']['record']): Promise<Out['episodes']['record']>;
    /** `null` when the episode does not exist or is outside the token's domains. */
    get(episodeId: string): Promise<Out['episodes']['get'] | null>;
    /**
     * An episode's steps in order, one page at a time (start from `get`'s `nextStepsCursor`, then
     * each page's `nextCursor`); `null` as for `get`.
     */
    steps(
      episodeId: string,
      input?: Omit<In['episodes']['steps'], 'episodeId'>,
    ): Promise<Out['episodes']['steps'] | null>;
    list(input?: In['episodes']['list']): Promise<Out['episodes']['list']>;
  };
  readonly search: {
    text(input: In['search']['text']): Promise<Out['search']['text']>;
    retrieve(input: In['search']['retrieve']): Promise<Out['search']['retrieve']>;
  };
  readonly patterns: {
    list(input?: In['patterns']['list']): Promise<Out['patterns']['list']>;
    /** `null` when the pattern does not exist or is outside the token's domains. */
    get(patternId: string): Promise<Out['patterns']['get'] | null>;
    relevant(input?: In['patterns']['relevant']): Promise<Out['patterns']['relevant']>;
    recordUsage(
      patternId: string,
      input: Omit<In['patterns']['recordUsage'], 'patternId'>,
    ): Promise<Out['patterns']['recordUsage']>;
  };
  readonly learning: {
    status(): Promise<Out['learning']['status']>;
    flush(input?: In['learning']['flush']): Promise<Out['learning']['flush']>;
    retryFailed(): Promise<Out['learning']['retryFailed']>;
    /** Admin: deletes a learner no process runs any more, with its queue rows (see core's README). */
    retire(learner: string): Promise<Out['learning']['retire']>;
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
  const trpc = createTRPCClient<AppRouter>({
    links: [
      metadataLink(),
      replayLink(),
      batchLink({
        url: apiUrl(options.url),
        fetch: options.fetch ?? globalThis.fetch,
        authorization: `Bearer ${options.token}`,
        timeoutMs: options.timeoutMs,
      }),
    ],
  });
  return {
    episodes: {
      start: (input) => startOnce(trpc, input, defaultRetryPolicy),
      logSteps: (episodeId, steps) => logStepsOnce(trpc, { episodeId, steps }, defaultRetryPolicy),
      logStep: async (episodeId, step) =>
        (
          await logStepsOnce(trpc, { episodeId, steps: [step] }, defaultRetryPolicy)
        )[0] as Out['episodes']['logSteps'][number],
      complete: (episodeId, input) => trpc.episodes.complete.mutate({ ...input, episodeId }),
      archive: (episodeId) => trpc.episodes.archive.mutate({ episodeId }),
      record: (records) => trpc.episodes.record.mutate(records),
      get: (episodeId) => orNull(trpc.episodes.get.query({ episodeId })),
      steps: (episodeId, input = {}) => orNull(trpc.episodes.steps.query({ ...input, episodeId })),
      list: (input = {}) => trpc.episodes.list.query(input),
    },
    search: {
      text: (input) => trpc.search.text.query(input),
      retrieve: (input) => trpc.search.retrieve.query(input),
    },
    patterns: {
      list: (input = {}) => trpc.patterns.list.query(input),
      get: (patternId) => orNull(trpc.patterns.get.query({ patternId })),
      relevant: (input = {}) => trpc.patterns.relevant.query(input),
      recordUsage: (patternId, input) => trpc.patterns.recordUsage.mutate({ ...input, patternId }),
    },
    learning: {
      status: () => trpc.learning.status.query(),
      flush: (input = {}) => trpc.learning.flush.mutate(input),
      retryFailed: () => trpc.learning.retryFailed.mutate(),
      retire: (learner) => trpc.learning.retire.mutate({ learner }),
    },
  };
}
