import type { EpisodicMemory, MemoryCallOptions, Recall, RecordedStep, StoredStep } from './memory-port.js';

type StartInput = Parameters<EpisodicMemory['episodes']['start']>[0];
type RetrieveInput = Parameters<EpisodicMemory['search']['retrieve']>[0];

/** The procedures of `createEpisodicClient()` (`@episodic/sdk`) that `withMemory` calls. */
export interface EpisodicClientLike {
  readonly episodes: {
    start: { mutate(input: StartInput): Promise<{ id: string }> };
    logSteps: {
      mutate(
        input: { episodeId: string; steps: RecordedStep[] },
        options?: MemoryCallOptions,
      ): Promise<unknown>;
    };
    complete: { mutate(input: { episodeId: string; status: 'completed' | 'failed' }): Promise<unknown> };
    archive: { mutate(input: { episodeId: string }): Promise<unknown> };
    steps: {
      query(
        input: { episodeId: string; limit?: number; fromStep?: number },
        options?: MemoryCallOptions,
      ): Promise<{ items: readonly StoredStep[] }>;
    };
  };
  readonly search: {
    retrieve: { query(input: RetrieveInput, options?: MemoryCallOptions): Promise<Recall> };
  };
}

/** The tRPC client's procedures as the `Memory` namespaces. */
export function clientMemory(client: EpisodicClientLike): EpisodicMemory {
  return {
    episodes: {
      start: (input) => client.episodes.start.mutate(input),
      logSteps: (episodeId, steps, options) => client.episodes.logSteps.mutate({ episodeId, steps }, options),
      complete: (episodeId, input) => client.episodes.complete.mutate({ ...input, episodeId }),
      archive: (episodeId) => client.episodes.archive.mutate({ episodeId }),
      steps: (episodeId, input, options) => client.episodes.steps.query({ ...input, episodeId }, options),
    },
    search: { retrieve: (input, options) => client.search.retrieve.query(input, options) },
  };
}
