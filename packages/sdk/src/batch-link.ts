import { httpBatchLink, type TRPCLink } from '@trpc/client';
import { answerCheckingFetch } from './http-answer.js';
import { limitRequests, maxRequestsInFlight } from './request-limit.js';
import type { AppRouter } from './types.js';

/**
 * Most calls one HTTP request carries; calls made in the same tick beyond it go in further
 * requests. tRPC's batch link has no bound of its own: 2,000 calls made at once (`Promise.all`)
 * did not fit the request line (every call's procedure name is in the URL), and every one of them
 * failed with "Unexpected end of JSON input". A batch also runs on the server as one unit: 500
 * cold `search.retrieve` calls at once on an 11,772-episode store kept `/healthz` waiting 11.8 s
 * in one request, 9.9 s at 50 per request, 4.6 s at 10, 5.5 s at 1 (no batching), measured one
 * run each; 10 it is. Those probes shared the burst's connection pool, so past one request most
 * of that wait was the server's queue of new connections, which `maxRequestsInFlight` bounds.
 */
export const maxBatchItems = 10;

/**
 * The link for queries and mutations: batched, as POST (a long search text does not fit a URL),
 * at most `maxRequestsInFlight` requests at a time, their answers checked (`answerCheckingFetch`).
 */
export function batchLink(options: {
  url: string;
  fetch: typeof globalThis.fetch;
  authorization: string;
  /** Counted from when a request is sent, not while it waits for a free slot. */
  timeoutMs?: number | undefined;
}): TRPCLink<AppRouter> {
  return httpBatchLink({
    url: options.url,
    fetch: limitRequests(answerCheckingFetch(options.fetch, options.timeoutMs), maxRequestsInFlight),
    headers: { authorization: options.authorization },
    methodOverride: 'POST',
    maxItems: maxBatchItems,
  });
}
