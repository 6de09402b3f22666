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
 * Codes of fetch failures before a connection was made (the system's, undici's, Node's TLS and URL
 * errors): the request never left this process. Any other failure may have reached the server.
 */
const connectCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);
const isHandshakeCode = (code: string) => /CERT|^ERR_SSL_|^ERR_TLS_/.test(code);

/**
 * Why fetch got no answer, as the error under its "fetch failed" says (`connect ECONNREFUSED
 * 127.0.0.1:9`, `other side closed`), with that error's code.
 */
function failureOf(error: unknown): { code: string | undefined; reason: string } {
  const outer = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  const inner = (typeof outer?.cause === 'object' && outer.cause !== null ? outer.cause : outer) as {
    code?: unknown;
    message?: unknown;
  } | null;
  const code = [inner?.code, outer?.code].find((value): value is string => typeof value === 'string');
  // A connection tried on several addresses fails with an AggregateError whose message is empty.
  const message = typeof inner?.message === 'string' && inner.message !== '' ? inner.message : undefined;
  return { code, reason: message ?? code ?? String(error) };
}

/**
 * fetch's failure as the SDK's: `UNREACHABLE` when no connection was made (fetch refuses some
 * ports itself, "bad port", with no code), else `CONNECTION_LOST`: a caller must then assume the
 * server may have run the call, so an unknown failure is counted as that one.
 */
function noAnswer(url: string, error: unknown): EpisodicClientError {
  const { code, reason } = failureOf(error);
  const unreachable =
    reason === 'bad port' || (code !== undefined && (connectCodes.has(code) || isHandshakeCode(code)));
  return unreachable
    ? new EpisodicClientError(
        'UNREACHABLE',
        `Cannot reach ${url} (${reason}): the request was not sent. Check that the Episodic server runs there and that the url is right.`,
        { cause: error },
      )
    : new EpisodicClientError(
        'CONNECTION_LOST',
        `The connection to ${url} closed before its answer came (${reason}): the server may have stopped or restarted, and may have run the calls it was sent.`,
        { cause: error },
      );
}

/**
 * `fetch` for the API's requests. It tells the failures tRPC reports alike apart: a request that
 * got no answer (worth replaying: marked here, see `gotNoAnswer`; with a code saying whether it
 * was sent at all) and an answer that is not the API's JSON (a wrong `url`, a proxy's error page),
 * which tRPC could only report as "Unable to transform response from server", with no status.
 * Without this, an error raised before anything was sent (a step JSON cannot write, a BigInt)
 * passed for a lost connection and was retried for good.
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
      // Every call of the request was aborted: `abortLink` has answered them already.
      if (callers?.aborted === true) throw error;
      const failure = noAnswer(url ?? String(input), error);
      unanswered.add(failure);
      throw failure;
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
