export { TRPCClientError } from '@trpc/client';
export { maxBatchItems } from './batch-link.js';
export type { EpisodeHelpers, EpisodicClient, EpisodicClientOptions } from './client.js';
export { createEpisodicClient } from './client.js';
export type { StepBufferOptions } from './episode-handle.js';
export { EpisodeHandle } from './episode-handle.js';
export type { EpisodicClientErrorCode } from './errors.js';
export { EpisodicClientError } from './errors.js';
export type { RemoteCallOptions, RemoteMemory, RemoteMemoryOptions } from './remote-memory.js';
export { createRemoteMemory } from './remote-memory.js';
export { maxRequestsInFlight } from './request-limit.js';
export type { RetryPolicy } from './retry.js';
export { isTransient } from './retry.js';
export type { RefusedStep, StepIssue } from './step-refusals.js';
export type {
  AppRouter,
  AuditEntry,
  CompleteEpisodeInput,
  Episode,
  EpisodeEvent,
  EpisodeWithSteps,
  ForgetSelector,
  Pattern,
  RelevantPattern,
  RetrievalResult,
  RetrievedEpisode,
  RetrieveInput,
  RouterInputs,
  RouterOutputs,
  StartEpisodeInput,
  Step,
  StepInput,
} from './types.js';
