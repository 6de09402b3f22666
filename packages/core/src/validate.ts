import type { z } from 'zod';
import { EpisodicError, type ValidationIssue } from './errors.js';

function formatPath(prefix: string | undefined, path: readonly PropertyKey[]): string {
  const parts = [...(prefix === undefined ? [] : [prefix]), ...path.map(String)];
  return parts.length === 0 ? '(input)' : parts.join('.');
}

/**
 * Parses `value` or throws a `VALIDATION` error whose message names every failing field path.
 * `pathPrefix` names an argument that is not itself an object field (`steps` → `steps.2.action`).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  pathPrefix?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: formatPath(pathPrefix, issue.path),
    message: issue.message,
  }));
  const detail = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new EpisodicError('VALIDATION', `Invalid ${what}: ${detail}`, { issues, cause: result.error });
}
