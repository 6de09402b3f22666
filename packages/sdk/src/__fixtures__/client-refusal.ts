import { expect } from 'vitest';
import { EpisodicClientError, TRPCClientError } from '../index.js';

/**
 * The rejection of `call`: a `TRPCClientError` whose cause is the SDK's own error, for its `code`
 * (a refusal of the SDK's, or no answer at all).
 */
export async function clientRefusal(call: Promise<unknown>) {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const cause = (error as TRPCClientError<never>).cause;
  expect(EpisodicClientError.isInstance(cause)).toBe(true);
  return { error: error as TRPCClientError<never>, cause: cause as EpisodicClientError };
}
