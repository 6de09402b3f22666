import { TRPCClientError } from '@trpc/client';

/** What the server found wrong in one step, its path within the step (`action`, `metadata.at`). */
export interface StepIssue {
  path: string;
  message: string;
}

/** A step an episode handle dropped because the server refused it. */
export interface RefusedStep {
  /** The id `step()` returned for it. */
  id: string;
  /** Its place among the steps recorded on the handle, from 0 (the batch it went in does not matter). */
  index: number;
  /** What the server found wrong with it. */
  issues: StepIssue[];
}

/**
 * The issues of each of the batch's steps a `BAD_REQUEST` names (`steps.3.action` is the fourth
 * step's `action`), by the step's place in the batch; null when it names none of them or anything
 * else: then the whole batch is refused.
 */
export function refusedIndexes(error: unknown, size: number): Map<number, StepIssue[]> | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as
    | { code?: string; issues?: { path: string; message?: string }[] | null }
    | undefined;
  if (data?.code !== 'BAD_REQUEST' || !Array.isArray(data.issues) || data.issues.length === 0) return null;
  const refused = new Map<number, StepIssue[]>();
  for (const { path, message = '' } of data.issues) {
    // The server names at most 20 issues, then counts the rest: those steps are refused by the
    // next send of the batch's remainder, which drops at least one step each time.
    if (path === '(input)' && /^and \d+ more issues$/.test(message)) continue;
    const [, at, within = ''] = /^steps\.(\d+)(?:\.(.*))?$/.exec(path) ?? [];
    const index = Number(at ?? Number.NaN);
    if (!Number.isInteger(index) || index >= size) return null;
    refused.set(index, [...(refused.get(index) ?? []), { path: within, message }]);
  }
  return refused.size > 0 ? refused : null;
}
