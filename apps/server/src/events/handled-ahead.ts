/**
 * `source` with every promise its iterator returns marked as handled before it is returned.
 *
 * tRPC's SSE keep-alive (`withPing`, @trpc/server 11.25) asks a subscription for its next event
 * before it has written the previous one. When that next event is an error (a subscriber dropped
 * as too slow, a token revoked), its promise rejects while the previous event is still being
 * written to a slow client, with nothing awaiting it yet: an unhandled rejection, which ends a
 * Node process. `episodic serve` died of it (exit 1, once SIGABRT) in 2 of 2 runs of a client
 * reading slowly. Marking the promise handled loses nothing: tRPC still awaits it, gets the
 * rejection and sends it to the client as the stream's error.
 */
export function handledAhead<T>(source: AsyncGenerator<T, void>): AsyncIterableIterator<T, void> {
  const handled = <R>(promise: Promise<R>): Promise<R> => {
    promise.catch(() => undefined);
    return promise;
  };
  const iterator: AsyncIterableIterator<T, void> = {
    next: () => handled(source.next()),
    return: (value) => handled(source.return(value)),
    throw: (error) => handled(source.throw(error)),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
