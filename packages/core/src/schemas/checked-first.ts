import { z } from 'zod';

/**
 * `schema`, after `check` has looked at the raw input: a refusal of the input's size (how many
 * steps, how many keys) before its millions of parts are each validated and each refused (8 MB of
 * bad steps held the serving thread 42 s). When `check` adds an issue, `schema` does not run.
 * Typed as `schema`: the check only refuses more.
 */
export function checkedFirst<S extends z.ZodType>(
  schema: S,
  check: (input: unknown, ctx: z.RefinementCtx) => void,
): S {
  return z.unknown().superRefine(check).pipe(schema) as unknown as S;
}
