import { TRPCClientError } from '@trpc/client';
import { answerStatus, gotNoAnswer } from './http-answer.js';

/** Statuses worth another try: the request may not have run, or ran and can be safely replayed. */
const transientStatuses = new Set([408, 429, 500, 502, 503, 504]);

/**
 * A network failure (no HTTP answer at all: refused, reset, dropped) or a transient status (a
 * proxy's 502 page too). Not an error raised before anything was sent, nor any other answer.
 * Only requests that are safe to replay are retried: starts and steps carry client-made ids, so
 * the server makes one episode and stores a replayed step once, and it answers an end the
 * episode already has with the episode.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const status = answerStatus(error);
  return status === undefined ? gotNoAnswer(error) : transientStatuses.has(status);
}

export interface RetryPolicy {
  /** Tries after the first one. */
  retries: number;
  /** Delay before the first retry; doubled for each further one. */
  delayMs: number;
}

/** Episode handles' and `createRemoteMemory`'s starts: 4 tries after the first, 1.5 s of waiting at most. */
export const defaultRetryPolicy: RetryPolicy = { retries: 4, delayMs: 100 };

/** Waits `ms`, or less once `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * `attempt` until it succeeds, fails for good, or `policy.retries` are spent. An abort of `signal`
 * ends the wait before the next try, which the call's own signal then refuses (`ABORTED`).
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let tried = 0; ; tried += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= policy.retries || !isTransient(error)) throw error;
      await pause(policy.delayMs * 2 ** tried, signal);
    }
  }
}
