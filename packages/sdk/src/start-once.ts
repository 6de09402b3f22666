import type { TRPCClient } from '@trpc/client';
import { newEpisodeId } from './episode-id.js';
import { type RetryPolicy, withRetries } from './retry.js';
import type { AppRouter, Episode, StartEpisodeInput } from './types.js';

/**
 * Starts an episode under one id for every try (the caller's, or one chosen here), retrying a
 * start that got no answer or a transient status (a 5xx): the server answers a start it already
 * made with that episode, so a start that ran but failed to answer still makes one episode.
 */
export function startOnce(
  trpc: TRPCClient<AppRouter>,
  input: StartEpisodeInput,
  policy: RetryPolicy,
): Promise<Episode> {
  const start = { ...input, id: input.id ?? newEpisodeId() };
  return withRetries(policy, () => trpc.episodes.start.mutate(start));
}
