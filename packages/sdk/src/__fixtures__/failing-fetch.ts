import { type AnyTRPCRouter, initTRPC, type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';

export interface FailingFetch {
  /** Pass it as the client's `fetch`. */
  fetch: typeof globalThis.fetch;
  /** The calls answered here instead of by the server: their input and the HTTP status answered. */
  failed: { input: unknown; status: number }[];
  /** Answers the next `count` requests calling `procedure` alone with a tRPC error of `code`. */
  failNext(procedure: string, code: TRPC_ERROR_CODE_KEY, count?: number): void;
}

const t = initTRPC.create();

/** A router whose only procedure, at the dotted `path`, records its input and throws `code`. */
function failingRouter(path: string, code: TRPC_ERROR_CODE_KEY, failed: unknown[]): AnyTRPCRouter {
  const segments = path.split('.');
  const failing = t.procedure
    .input((input: unknown) => input)
    .mutation(({ input }) => {
      failed.push(input);
      throw new TRPCError({ code, message: `${code} (injected by the test)` });
    });
  let routes: Record<string, unknown> = { [segments.pop() ?? path]: failing };
  for (const segment of segments.reverse()) routes = { [segment]: t.router(routes as never) };
  return t.router(routes as never);
}

/**
 * A `fetch` that sends every request to the real server, except the calls it is told to fail:
 * those are answered by tRPC's own request handler with the error (a 5xx as a server that crashed
 * or was overloaded mid-call gives it, in tRPC's wire format), and never reach the server.
 */
export function failingFetch(): FailingFetch {
  const failed: FailingFetch['failed'] = [];
  const rules: { procedure: string; code: TRPC_ERROR_CODE_KEY; remaining: number }[] = [];
  return {
    failed,
    failNext: (procedure, code, count = 1) => rules.push({ procedure, code, remaining: count }),
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const rule = rules.find(
        (candidate) => candidate.remaining > 0 && url.pathname.endsWith(`/trpc/${candidate.procedure}`),
      );
      if (rule === undefined) return globalThis.fetch(input, init);
      rule.remaining -= 1;
      const inputs: unknown[] = [];
      const answer = await fetchRequestHandler({
        endpoint: '/trpc',
        req: new Request(input, init),
        router: failingRouter(rule.procedure, rule.code, inputs),
        createContext: () => ({}),
      });
      for (const one of inputs) failed.push({ input: one, status: answer.status });
      return answer;
    },
  };
}
