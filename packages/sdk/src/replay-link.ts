import { type Operation, retryLink, TRPCClientError } from '@trpc/client';
import { gotNoAnswer } from './http-answer.js';
import type { AppRouter } from './types.js';

/** Tries of one operation after its first, when the connection failed before any answer. */
const replays = 2;

/** Mutations whose replay changes nothing, whatever their input (see `idempotent`). */
const alwaysIdempotent = new Set(['admin.forget', 'admin.purge', 'episodes.complete', 'episodes.archive']);

/**
 * Mutations whose replay changes nothing: a start with its id returns the episode it started,
 * steps with client-made ids are stored once, an end the episode already has answers with the
 * episode, forgetting what is already gone forgets nothing, and a purge only waits for what is
 * pending. Other mutations are never replayed here: the first try may have run.
 */
function idempotent(op: Operation): boolean {
  if (alwaysIdempotent.has(op.path)) return true;
  if (op.path === 'episodes.start') return typeof (op.input as { id?: unknown } | undefined)?.id === 'string';
  if (op.path !== 'episodes.logSteps') return false;
  const steps = (op.input as { steps?: unknown } | undefined)?.steps;
  // A step that is no object (`null`) is sent for the server to refuse: reading its id threw
  // inside the link, and the call never settled.
  return (
    Array.isArray(steps) &&
    steps.every((step: unknown) => typeof (step as { id?: unknown } | null)?.id === 'string')
  );
}

/**
 * Replays a read, or a mutation that is idempotent by design, whose connection failed before any
 * answer came: a pooled keep-alive connection that the server closed just as the request went
 * out fails this way, though the server never saw the request.
 */
export function replayLink() {
  return retryLink<AppRouter>({
    retry: ({ op, error, attempts }) =>
      attempts <= replays &&
      op.type !== 'subscription' &&
      (op.type === 'query' || idempotent(op)) &&
      error instanceof TRPCClientError &&
      gotNoAnswer(error),
    retryDelayMs: (attempt) => (attempt <= 1 ? 0 : 50 * attempt),
  });
}
