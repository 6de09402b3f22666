import { TRPCError } from '@trpc/server';
import type { Caller } from '../context.js';

/**
 * Refuses a filter that names domains outside the caller's token. The engine would answer such a
 * query with nothing at all; saying 403 instead tells the caller its token is the problem, and
 * reveals nothing the token does not already know.
 */
export function assertDomainsAllowed(caller: Caller, domains: readonly string[] | undefined): void {
  if (caller.domains === null || domains === undefined) return;
  const outside = domains.filter((domain) => !caller.domains?.includes(domain));
  if (outside.length > 0) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `This token may not read domain${outside.length > 1 ? 's' : ''} ${outside.map((d) => `"${d}"`).join(', ')}.`,
    });
  }
}
