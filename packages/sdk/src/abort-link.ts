import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { abortedError } from './aborted.js';
import type { AppRouter } from './types.js';

/**
 * Rejects a call the moment its `signal` aborts (`ABORTED`, the signal's reason as `cause`) and
 * lets go of its request. tRPC's batch link aborts a request only once every call in it is, so an
 * aborted call that shared a request with another one waited for that one's answer.
 */
export function abortLink(): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) => {
      const { signal } = op;
      if (signal == null || op.type === 'subscription') return next(op);
      return observable((observer) => {
        if (signal.aborted) {
          observer.error(abortedError(op.path, signal.reason));
          return;
        }
        let done = false;
        // Declared, not assigned: a refusal further down the chain (metadataLink) errors during
        // `subscribe`, before a `const` listener would exist.
        function onAbort() {
          // Unsubscribing first lets the batch link drop the call (and abort its request once
          // every call in it is aborted) before the caller hears of it.
          subscription.unsubscribe();
          observer.error(abortedError(op.path, signal?.reason));
        }
        function settled() {
          done = true;
          signal?.removeEventListener('abort', onAbort);
        }
        const subscription = next(op).subscribe({
          next: (value) => observer.next(value),
          error: (error) => {
            settled();
            observer.error(error);
          },
          complete: () => {
            settled();
            observer.complete();
          },
        });
        if (!done) signal.addEventListener('abort', onAbort, { once: true });
        return () => {
          settled();
          subscription.unsubscribe();
        };
      });
    };
}
