import type { TRPCClient } from '@trpc/client';
import { newEpisodeId } from './episode-id.js';
import { inputRefusal } from './input-shape.js';
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
  const refused = inputRefusal('episodes.start', input);
  if (refused !== null) return Promise.reject(refused);
  // Only an id left out is chosen here: `id: null` goes as it is, for the server to refuse.
  const start = { ...input, id: input.id === undefined ? newEpisodeId() : input.id };
  return withRetries(policy, () => trpc.episodes.start.mutate(start, { signal }), signal);
}

/**
 * A step with the id it is sent under: the caller's (`null` too, for the server to refuse), or one
 * chosen here. A step that is no object goes as it is, refused at its path (`steps.0`) as the
 * engine refuses it: spread, a string became its letters as keys.
 */
function withId(step: unknown): unknown {
  if (typeof step !== 'object' || step === null || Array.isArray(step)) return step;
  const { id } = step as { id?: unknown };
  return { ...step, id: id === undefined ? crypto.randomUUID() : id };
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
  // Steps that are no array go as they are, for the server to refuse at `steps` as the engine does.
  const steps = Array.isArray(input.steps) ? input.steps.map(withId) : input.steps;
  return withRetries(
    policy,
    () => trpc.episodes.logSteps.mutate({ ...input, steps: steps as typeof input.steps }, { signal }),
    signal,
  );
}
