import { expect } from 'vitest';
import { EpisodicClientError, TRPCClientError } from '../index.js';

/** How long an aborted call may take to reject here: a held call would otherwise never settle. */
export const patienceMs = 5_000;

/** `call`'s rejection, or a failed expectation when it has not settled within `patienceMs`. */
export async function abortedCall(call: Promise<unknown>) {
  const pending = Symbol('pending');
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    call.then(
      () => null,
      (caught: unknown) => caught,
    ),
    new Promise<typeof pending>((resolve) => {
      timer = setTimeout(() => resolve(pending), patienceMs);
    }),
  ]);
  clearTimeout(timer);
  expect(outcome, `still pending ${patienceMs} ms after its abort`).not.toBe(pending);
  expect(outcome).toBeInstanceOf(TRPCClientError);
  const cause = (outcome as TRPCClientError<never>).cause;
  expect(EpisodicClientError.isInstance(cause) && cause.code).toBe('ABORTED');
  return { error: outcome as TRPCClientError<never>, cause: cause as EpisodicClientError };
}

/** A `fetch` to the real server that keeps the URL of every request it sends. */
export function countingFetch() {
  const sent: string[] = [];
  const counting: typeof fetch = (input, init) => {
    sent.push(String(input));
    return fetch(input, init);
  };
  return { sent, counting };
}
