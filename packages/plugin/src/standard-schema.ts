import type { StandardSchemaV1 } from '@standard-schema/spec';
import { PluginError, type PluginIssue } from './plugin-error.js';

/** `steps.2.action` from a Standard Schema issue path; `(input)` for the value itself. */
function issuePath(issue: StandardSchemaV1.Issue, prefix: string | undefined): string {
  const parts = (issue.path ?? []).map((segment) =>
    String(typeof segment === 'object' && segment !== null ? segment.key : segment),
  );
  const all = prefix === undefined ? parts : [prefix, ...parts];
  return all.length === 0 ? '(input)' : all.join('.');
}

/** The issues of a failed validation with their paths as text, `prefix` first when given. */
export function toPluginIssues(
  issues: readonly StandardSchemaV1.Issue[],
  prefix?: string | undefined,
): PluginIssue[] {
  return issues.map((issue) => ({ path: issuePath(issue, prefix), message: issue.message }));
}

/** `path: message; path: message`, for an error message. */
export function describeIssues(issues: readonly PluginIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

/** Whether `value` is a Standard Schema (zod ≥ 3.24, valibot ≥ 1, arktype ≥ 2 all are). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.[
    '~standard'
  ];
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    standard?.version === 1 &&
    typeof standard.validate === 'function'
  );
}

/**
 * Validates `value` with a Standard Schema, synchronously, and returns its output; throws an
 * `INVALID_OPTIONS` `PluginError` naming `plugin` and every failing field path. Options are read
 * when a plugin is created, which is synchronous, so an async schema is refused.
 */
export function parseOptions<Schema extends StandardSchemaV1>(
  schema: Schema,
  value: unknown,
  plugin: string,
): StandardSchemaV1.InferOutput<Schema> {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) {
    throw new PluginError('INVALID_OPTIONS', `The options schema of ${plugin} is asynchronous`, { plugin });
  }
  if (result.issues === undefined) return result.value as StandardSchemaV1.InferOutput<Schema>;
  const issues = toPluginIssues(result.issues);
  throw new PluginError('INVALID_OPTIONS', `Invalid ${plugin} options: ${describeIssues(issues)}`, {
    plugin,
    issues,
  });
}
