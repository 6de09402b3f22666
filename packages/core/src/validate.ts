import type { z } from 'zod';
import { EpisodicError, type ValidationIssue } from './errors.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(input)' : path.map(String).join('.');
}

/** Parses `value` or throws a `VALIDATION` error whose message names every failing field path. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  const detail = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new EpisodicError('VALIDATION', `Invalid ${what}: ${detail}`, { issues, cause: result.error });
}
