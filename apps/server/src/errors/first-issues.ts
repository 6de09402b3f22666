/**
 * Issues a refusal names; past them it says how many more there were. Refusals listed every
 * issue: 8 MB of bad steps answered 269 MB, and an OTLP export of 1,000 empty spans overflowed the
 * stack encoding its message.
 */
const namedIssues = 20;

/** The first issues a refusal names, and how many it leaves unnamed. */
export function firstIssues<T>(issues: readonly T[]): { named: T[]; more: number } {
  return { named: issues.slice(0, namedIssues), more: Math.max(0, issues.length - namedIssues) };
}
