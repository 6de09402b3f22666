import { TRPCClientError } from '@trpc/client';
import { EpisodicClientError } from './errors.js';

/** Errors thrown by `fetch` itself: the request got no HTTP answer (refused, reset, dropped). */
const unanswered = new WeakSet<object>();

const isJson = (response: Response) =>
  response.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';

/** tRPC's error answer: each call's `{ error: { code, message, data } }` (an array for a batch). */
const isTrpcError = (item: unknown) =>
  typeof item === 'object' &&
  item !== null &&
  'error' in item &&
  typeof item.error === 'object' &&
  item.error !== null &&
  'code' in item.error;

/**
 * Whether the answer is the API's: JSON, and a refusal in tRPC's shape (the server's other paths
 * refuse in JSON too, `{"error":"not found"}`, which is what a wrong `url` meets). A success is
 * not read twice: another JSON service answering 200 at that url is not worth the cost.
 */
async function isApiAnswer(response: Response): Promise<boolean> {
  if (!isJson(response)) return false;
  if (response.ok) return true;
  try {
    const body: unknown = await response.clone().json();
    return (Array.isArray(body) ? body : [body]).every(isTrpcError);
  } catch {
    return false;
  }
}

/**
 * `fetch` for the API's requests. It tells the two failures tRPC reports alike apart from the
 * rest: a request that got no answer (worth replaying: marked here, see `gotNoAnswer`) and an
 * answer that is not the API's JSON (a wrong `url`, a proxy's error page), which tRPC could only
 * report as "Unable to transform response from server", with no status. Without this, an error
 * raised before anything was sent (a step JSON cannot write, a BigInt) passed for a lost
 * connection and was retried for good.
 */
export function answerCheckingFetch(
  fetchImpl: typeof globalThis.fetch,
  timeoutMs?: number,
): typeof globalThis.fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input).split('?', 1)[0];
    const callers = init?.signal ?? undefined;
    const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const signal =
      timeout === undefined ? callers : callers === undefined ? timeout : AbortSignal.any([callers, timeout]);
    let response: Response;
    try {
      response = await fetchImpl(input, { ...init, signal });
    } catch (error) {
      if (timeout?.aborted === true && callers?.aborted !== true)
        throw new EpisodicClientError(
          'TIMEOUT',
          `${url} gave no answer within ${timeoutMs} ms (timeoutMs); the server may still run the calls it was sent, so they are not sent again.`,
          { cause: error },
        );
      // An abort is the caller's decision, not a lost connection.
      if (typeof error === 'object' && error !== null && callers?.aborted !== true) unanswered.add(error);
      throw error;
    }
    if (await isApiAnswer(response)) return response;
    await response.body?.cancel();
    const type = response.headers.get('content-type')?.split(';', 1)[0] ?? 'no content type';
    throw new EpisodicClientError(
      'UNEXPECTED_ANSWER',
      `${url} answered ${response.status} with ${type}, not the Episodic API's JSON: check the url (an Episodic server's address, e.g. http://127.0.0.1:7777) and any proxy in between.`,
      { status: response.status },
    );
  };
}

/** The call's request got no HTTP answer at all (see `answerCheckingFetch`). */
export function gotNoAnswer(error: unknown): boolean {
  return (
    error instanceof TRPCClientError &&
    error.data === undefined &&
    typeof error.cause === 'object' &&
    error.cause !== null &&
    unanswered.has(error.cause)
  );
}

/** The HTTP status of the answer a call got: the API's, or that of an answer that was not the API's. */
export function answerStatus(error: unknown): number | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  if (status !== undefined) return status;
  return EpisodicClientError.isInstance(error.cause) ? error.cause.status : undefined;
}
