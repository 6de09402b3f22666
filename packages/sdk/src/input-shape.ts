import { localRefusal } from './local-refusal.js';

/** What the engine's schema says a value that is no object is ("expected object, received null"). */
const received = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/**
 * The engine's refusal of a method's `input` that the SDK would send changed, or null: a procedure
 * of the server takes the method's id argument and its input as one object (`complete(episodeId,
 * input)` sends `{ ...input, episodeId }`), so an input that is no object (a string spread into it
 * becomes its letters as keys), or one holding `key` itself (replaced by the argument, the call
 * then made on that episode), must be refused here, as the engine refuses it.
 */
export function inputRefusal(procedure: string, input: unknown, key?: string): Error | null {
  // Any other object is read by the engine's schema for its own keys, as the spread copies them.
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return localRefusal(procedure, [
      { path: '(input)', message: `Invalid input: expected object, received ${received(input)}` },
    ]);
  if (key !== undefined && Object.hasOwn(input, key))
    return localRefusal(procedure, [{ path: '(input)', message: `Unrecognized key: "${key}"` }]);
  return null;
}

/** Sends `{ ...input, [key]: value }`, or rejects with the engine's refusal of `input` (`inputRefusal`). */
export function sendWith<T>(
  procedure: string,
  input: unknown,
  key: string,
  value: string,
  send: (merged: never) => Promise<T>,
): Promise<T> {
  const refused = inputRefusal(procedure, input, key);
  return refused === null ? send({ ...(input as object), [key]: value } as never) : Promise.reject(refused);
}

/** An optional input: left out, `{}`; given, as it is (the server refuses `null` as the engine does). */
export const optionalInput = <T>(input: T | undefined): T | Record<string, never> =>
  input === undefined ? {} : input;
