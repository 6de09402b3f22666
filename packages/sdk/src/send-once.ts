import type { TRPCClient } from '@trpc/client';
import { newEpisodeId } from './episode-id.js';
import { type RetryPolicy, withRetries } from './retry.js';
import type { AppRouter, Episode, RouterInputs, RouterOutputs, StartEpisodeInput } from './types.js';

/**
 * Starts an episode under one id for every try (the caller's, or one chosen here), retrying a
 * start that got no answer or a transient status (a 5xx): the server answers a start it already
 * made with that episode, so a start that ran but failed to answer still makes one episode.
 */
export function startOnce(
  trpc: TRPCClient<AppRouter>,
  input: StartEpisodeInput,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<Episode> {
  const start = { ...input, id: input.id ?? newEpisodeId() };
  return withRetries(policy, () => trpc.episodes.start.mutate(start, { signal }), signal);
}

/**
 * Logs steps under one id each for every try (the caller's, or one chosen here), retrying as
 * `startOnce` does: the server stores a step id it already holds for the episode once and answers
 * it again, so a batch that ran but failed to answer is not stored twice. The ids also let the
 * replay link send the batch again after a connection closed before any answer.
 */
export function logStepsOnce(
  trpc: TRPCClient<AppRouter>,
  input: RouterInputs['episodes']['logSteps'],
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<RouterOutputs['episodes']['logSteps']> {
  const steps = input.steps.map((step) => ({ ...step, id: step.id ?? crypto.randomUUID() }));
  return withRetries(policy, () => trpc.episodes.logSteps.mutate({ ...input, steps }, { signal }), signal);
}
