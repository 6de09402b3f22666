import { TRPCClientError } from '@trpc/client';

/**
 * The batch's steps a `BAD_REQUEST` names (`steps.3.action`), or null when it names none of them
 * or anything else: then the whole batch is refused.
 */
export function refusedIndexes(error: unknown, size: number): Set<number> | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as
    | { code?: string; issues?: { path: string; message?: string }[] | null }
    | undefined;
  if (data?.code !== 'BAD_REQUEST' || !Array.isArray(data.issues) || data.issues.length === 0) return null;
  const indexes = new Set<number>();
  for (const { path, message } of data.issues) {
    // The server names at most 20 issues, then counts the rest: those steps are refused by the
    // next send of the batch's remainder, which drops at least one step each time.
    if (path === '(input)' && /^and \d+ more issues$/.test(message ?? '')) continue;
    const index = Number(/^steps\.(\d+)(?:\.|$)/.exec(path)?.[1] ?? Number.NaN);
    if (!Number.isInteger(index) || index >= size) return null;
    indexes.add(index);
  }
  return indexes.size > 0 ? indexes : null;
}
