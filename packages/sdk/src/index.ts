export { createEpisodicClient } from './client.js';
export type { EpisodicClient, EpisodicClientOptions, EpisodeHelpers } from './client.js';
export { EpisodeHandle } from './episode-handle.js';
export type { StepBufferOptions } from './episode-handle.js';
export { EpisodicClientError } from './errors.js';
export type { EpisodicClientErrorCode } from './errors.js';
export { isTransient } from './retry.js';
export type { RetryPolicy } from './retry.js';
export type {
  AppRouter,
  RouterInputs,
  RouterOutputs,
  Episode,
  EpisodeWithSteps,
  Step,
  StartEpisodeInput,
  StepInput,
  CompleteEpisodeInput,
  EpisodeEvent,
  RetrievalResult,
  RetrievedEpisode,
  RetrieveInput,
  Pattern,
  RelevantPattern,
  AuditEntry,
  ForgetSelector,
} from './types.js';
export { TRPCClientError } from '@trpc/client';
