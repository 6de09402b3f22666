/** Kinds of failure that often pass if the same action is simply tried again a little later. */
export const transientErrors = ['rate_limited', 'timeout', 'unavailable', 'busy'] as const;
export type TransientError = (typeof transientErrors)[number];

/** Checked in order: a 504 is a timeout before it is an unavailable server. */
const signatures: readonly [TransientError, RegExp][] = [
  ['rate_limited', /\b429\b|rate.?limit|too many requests|throttl|quota exceeded/i],
  ['timeout', /timed? ?out|timeout|etimedout|deadline exceeded|\b50[4]\b|\b408\b/i],
  [
    'unavailable',
    /\b50[23]\b|unavailable|econnrefused|econnreset|connection (refused|reset)|bad gateway|overloaded/i,
  ],
  ['busy', /database is locked|\block(ed)?\b|\bbusy\b|ebusy|eagain|try again later/i],
];

/**
 * The transient kind of an error text, or null when the failure is not one that waiting can
 * fix (a syntax error, a missing file): retrying those after a wait is not backoff, it is luck.
 * Only the first 2,000 characters are read, so a huge tool output costs no more than a short one.
 */
export function transientError(result: string | null): TransientError | null {
  if (result === null) return null;
  const head = result.slice(0, 2000);
  return signatures.find(([, pattern]) => pattern.test(head))?.[0] ?? null;
}
