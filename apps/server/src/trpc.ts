import { type AccessScope, type CallOptions, EpisodicError, type TokenScope } from '@episodic/core';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { ServerContext } from './context.js';
import { formatError } from './errors/format-error.js';
import { toTRPCError } from './errors/to-trpc-error.js';

const t = initTRPC.context<ServerContext>().create({
  // Stacks never leave the server, whatever NODE_ENV says.
  isDev: false,
  errorFormatter: formatError,
  sse: {
    // Keeps idle subscriptions alive through proxies, and lets clients notice a dead server.
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
});

export const router = t.router;

/**
 * The input of a procedure that takes none: nothing, or `{}`. Anything else is a 400 naming what
 * it does not take, as every procedure with input refuses a key it does not know (tRPC passes an
 * unchecked input to a procedure without a parser, where `{ a: 1 }` was answered 200).
 */
export const noInput = z.strictObject({}).optional();

interface Observed {
  ctx: ServerContext;
  path: string;
  type: string;
}

/**
 * Runs a procedure counted and timed for `/metrics`, with engine errors turned into their tRPC
 * codes: the one place where `EpisodicError` meets tRPC, for every procedure.
 */
async function observe<R extends { ok: true } | { ok: false; error: TRPCError }>(
  { ctx, path, type }: Observed,
  run: () => Promise<R>,
): Promise<R> {
  const started = performance.now();
  let code = 'OK';
  try {
    const result = await run();
    if (!result.ok) throw toTRPCError(result.error);
    return result;
  } catch (error) {
    const mapped = error instanceof TRPCError ? toTRPCError(error) : error;
    code = mapped instanceof TRPCError ? mapped.code : 'INTERNAL_SERVER_ERROR';
    if (
      code === 'FORBIDDEN' &&
      ctx.caller !== null &&
      !EpisodicError.isInstance((mapped as TRPCError).cause)
    ) {
      ctx.recordDenied(ctx.caller.id, path, type);
    }
    throw mapped;
  } finally {
    ctx.observer.procedure(path, type, code, (performance.now() - started) / 1000);
  }
}

/** No token needed; still counted, timed and with engine errors mapped. */
export const publicProcedure = t.procedure.use((options) => observe(options, () => options.next()));

/**
 * A valid token holding `scope` (any valid token for `null`) is required. The context is narrowed
 * to the caller, its access `scope`, and `call`: the options every procedure passes to the engine,
 * which enforces the scope in SQL and records the token id as the actor in the audit log. The call
 * then waits for its token's turn (`admission`), so its time in `/metrics` includes that wait. One
 * middleware does observing, checking and admitting, because each layer costs on the hot path.
 */
function authenticated(scope: TokenScope | null) {
  return t.procedure.use((options) =>
    observe(options, async () => {
      const { caller } = options.ctx;
      if (caller === null) throw new TRPCError({ code: 'UNAUTHORIZED', message: options.ctx.authProblem });
      if (scope !== null && !caller.scopes.includes(scope)) {
        throw new TRPCError({ code: 'FORBIDDEN', message: `This token lacks the "${scope}" scope.` });
      }
      const access: AccessScope | undefined =
        caller.domains === null ? undefined : { domains: caller.domains };
      const call: CallOptions = { scope: access, actor: caller.id };
      const next = () => options.next({ ctx: { caller, scope: access, call } });
      // A subscription runs as long as its client listens: it would hold a share for good. Its
      // events come from calls that were admitted themselves.
      if (options.type === 'subscription') return next();
      const end = await options.ctx.admission.admit(caller.id);
      try {
        return await next();
      } finally {
        end();
      }
    }),
  );
}

/** For what a token may learn about itself: no scope needed, so asking is never a refusal. */
export const anyTokenProcedure = authenticated(null);
export const readProcedure = authenticated('read');
export const writeProcedure = authenticated('write');
export const adminProcedure = authenticated('admin');
