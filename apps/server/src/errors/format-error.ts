import { EpisodicError, type ValidationIssue } from '@episodic/core';
import type { TRPCDefaultErrorShape, TRPCError } from '@trpc/server';

function pathText(path: readonly unknown[]): string {
  if (path.length === 0) return '(input)';
  return path
    .map((segment) =>
      typeof segment === 'object' && segment !== null && 'key' in segment
        ? String(segment.key)
        : String(segment),
    )
    .join('.');
}

/** Field paths of a refused input, from a zod failure at the edge or from the engine's own check. */
function issuesOf(error: TRPCError): ValidationIssue[] | null {
  const cause: unknown = error.cause;
  if (EpisodicError.isInstance(cause)) return cause.issues.length > 0 ? cause.issues : null;
  if (error.code !== 'BAD_REQUEST' || typeof cause !== 'object' || cause === null || !('issues' in cause))
    return null;
  const { issues } = cause as { issues: unknown };
  if (!Array.isArray(issues)) return null;
  return issues.map((issue: { path?: readonly unknown[]; message?: unknown }) => ({
    path: pathText(issue.path ?? []),
    message: String(issue.message),
  }));
}

/** What the client may see of an error: code, message, field paths. Never a stack, never an internal message. */
export interface ErrorShape extends TRPCDefaultErrorShape {
  data: Omit<TRPCDefaultErrorShape['data'], 'stack'> & {
    /** For `BAD_REQUEST`: each refused field, as `steps.2.action`. */
    issues: ValidationIssue[] | null;
  };
}

export function formatError({
  shape,
  error,
}: {
  shape: TRPCDefaultErrorShape;
  error: TRPCError;
}): ErrorShape {
  const { stack: _stack, ...data } = shape.data;
  const issues = issuesOf(error);
  let message = shape.message;
  if (error.code === 'INTERNAL_SERVER_ERROR') message = 'Internal server error';
  else if (issues !== null && !EpisodicError.isInstance(error.cause)) {
    message = `Invalid input: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`;
  }
  return { ...shape, message, data: { ...data, issues } };
}
