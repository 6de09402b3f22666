import { ServerError } from '../../errors/server-error.js';

/** The `ServerError` that loading settings rejects with; anything else fails the test. */
export async function configFailure(run: () => Promise<unknown>): Promise<ServerError> {
  try {
    await run();
  } catch (error) {
    if (ServerError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ServerError');
}
