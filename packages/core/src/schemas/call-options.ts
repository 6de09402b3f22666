import { z } from 'zod';

/**
 * Most domains one access scope (or one token) may name. Each becomes a query parameter, and
 * SQLite takes at most 32,766 per statement: past that every call failed with its "too many
 * SQL variables". Far below it, since a query may apply the scope more than once.
 */
export const maxScopeDomains = 1000;

/**
 * The `{ scope, actor }` every method takes. Only their shape is checked, not each domain's
 * spelling (a domain the store never held matches nothing): a scope the SQL cannot apply as
 * given (a string, where a cached answer was checked with `includes`, so by substring) is
 * refused instead. Other keys pass: `forget` and `retention` take more options beside these.
 */
export const callOptionsSchema = z
  .object({
    scope: z.object({ domains: z.array(z.string()).max(maxScopeDomains) }).optional(),
    actor: z.string().min(1).max(128).optional(),
  })
  .optional();
