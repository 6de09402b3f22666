/**
 * Most HTTP requests one client has in flight for queries and mutations; later ones wait here,
 * in order. Why: Node accepts one new connection per turn of its event loop (libuv since 1.45),
 * and a server busy with a burst takes long turns. 500 calls made at once used to open 50
 * connections; every connection another client (or a health probe) opened after them waited
 * for those 50 to be accepted first, about as long as the whole burst.
 */
export const maxRequestsInFlight = 4;

/** `fetch`, with at most `limit` requests in flight; a request aborted while it waits never starts. */
export function limitRequests(fetchImpl: typeof globalThis.fetch, limit: number): typeof globalThis.fetch {
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) inFlight -= 1;
    else next();
  };

  const turn = (signal: AbortSignal | null | undefined): Promise<void> => {
    if (inFlight < limit) {
      inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        waiting.splice(waiting.indexOf(start), 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', abort, { once: true });
      waiting.push(start);
    });
  };

  return async (input, init) => {
    await turn(init?.signal);
    try {
      return await fetchImpl(input, init);
    } finally {
      // tRPC's batch answer is written whole once its last call is done: when the headers are
      // here, so is the body, and the connection is free for the next request.
      release();
    }
  };
}
